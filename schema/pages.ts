import { getNamedType, isInterfaceType, isObjectType, type GraphQLField, type GraphQLNamedType } from 'graphql';

/**
 * The `nodes` field of a page type (a connection: an object with `pageInfo: PageInfo`, whose `nodes`
 * list is the page), or undefined for any other type. One rule for the catalogue, the open-data
 * downloads and the disclosure recorder, which each need to know a page from a record.
 */
export function pageNodes(type: GraphQLNamedType): GraphQLField<unknown, unknown> | undefined {
  if (!isObjectType(type) && !isInterfaceType(type)) return undefined;
  const { pageInfo, nodes } = type.getFields();
  return pageInfo && getNamedType(pageInfo.type).name === 'PageInfo' ? nodes : undefined;
}
