import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Routes } from '../subgraphs/kit/http';

/** GraphiQL and React, served from the installed packages: no CDN, so it works in an offline data centre. */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

/** A file inside an installed package, found from its package.json (UMD builds are not in `exports`). */
function packageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** The GraphiQL page for the GraphQL endpoint at `endpoint`. */
export function graphiqlPage(endpoint: string, title: string): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<style>body{margin:0;height:100vh}#graphiql{height:100vh}</style>
</head>
<body>
<div id="graphiql">Đang tải GraphiQL… (loading)</div>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(endpoint)} });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    // The headers pane holds a bearer token, and GraphiQL's history of queries run records headers
    // whatever shouldPersistHeaders says: all it keeps goes to the tab's sessionStorage, not localStorage.
    React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true, shouldPersistHeaders: false, storage: window.sessionStorage }),
  );
</script>
</body>
</html>`;
}

/** Routes `/graphiql/<asset>` to the files above, read once and cached. */
export function graphiqlAssetRoutes(): Routes {
  const routes: Record<string, Routes[string]> = {};
  for (const [name, asset] of Object.entries(ASSETS)) {
    let body: Buffer | undefined;
    routes[`/graphiql/${name}`] = (_req, res) => {
      body ??= readFileSync(packageFile(asset.pkg, asset.file));
      res.writeHead(200, { 'content-type': `${asset.type}; charset=utf-8`, 'cache-control': 'public, max-age=86400' });
      res.end(body);
    };
  }
  return routes;
}
