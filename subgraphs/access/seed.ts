import type { Database } from '../kit/db';
import { NO_GRANTS } from '../kit/grants';
import type { Caller, Role } from '../kit/identity';
import type { FieldCatalogue } from './catalogue';
import { createAccessContext, type AccessContext } from './context';
import { accessStore } from './store';
import { approveRequest, refuseRequest, submitRequest, transitionGrant } from './workflow';

function officer(agency: string, role: Role): Caller {
  return { kind: 'official', officialId: `canbo.${agency}.${role}`, agency, roles: [role] };
}

/**
 * Fills an empty ledger with a handful of requests that show every state, whatever the scale:
 * - Sở Y tế holds an approved grant on LandUseCertificate.holder from Sở Nông nghiệp và Môi trường
 *   (until 2030-12-31) and an open-ended one on Citizen.ethnicGroup from Công an tỉnh;
 * - Sở Nội vụ's grant on Household.members from Công an tỉnh is suspended;
 * - Sở Xây dựng's request for Citizen.landCertificates was refused, with the reason;
 * - UBND phường Tuy Hòa's request for Citizen.household has been pending, overdue, since January 2026.
 * The history is replayed through the workflow itself (same checks, audit events, notifications), at
 * fixed instants and with fixed ids, in one transaction.
 */
export async function seedAccess(db: Database, catalogue: () => FieldCatalogue): Promise<void> {
  if ((await accessStore(db).countRequests()) > 0) return;
  let counter = 0;
  const newId = () => `5eed0000-0000-4000-8000-${(++counter).toString(16).padStart(12, '0')}`;
  const as = (caller: Caller, at: string): AccessContext =>
    createAccessContext(
      { requestId: 'seed', db, caller, purpose: null, lang: 'vi', grants: NO_GRANTS, decisions: new Map() },
      { now: () => new Date(at), newId, catalogue },
    );
  await db.transaction(async (client) => {
    const holders = await submitRequest(
      as(officer('so-y-te', 'official'), '2025-08-25T09:00:00+07:00'),
      {
        provider: 'so-nn-mt',
        fields: ['LandUseCertificate.holder'],
        purpose: 'Xác minh người sử dụng đất khi cấp phép hoạt động cơ sở khám bệnh, chữa bệnh tư nhân',
        legalBasis: 'Nghị định 47/2020/NĐ-CP, Điều 14; Luật Khám bệnh, chữa bệnh 2023',
        validFrom: '2025-09-01',
        validUntil: '2030-12-31',
      },
      client,
    );
    await approveRequest(as(officer('so-nn-mt', 'owner'), '2025-08-26T15:30:00+07:00'), holders.id, null, client);

    const ethnicity = await submitRequest(
      as(officer('so-y-te', 'official'), '2025-09-15T08:30:00+07:00'),
      {
        provider: 'cong-an',
        fields: ['Citizen.ethnicGroup'],
        purpose: 'Phân tích bao phủ tiêm chủng mở rộng theo dân tộc ở các xã vùng đồng bào dân tộc thiểu số',
        legalBasis: 'Nghị định 47/2020/NĐ-CP, Điều 14; Luật Dữ liệu 2024',
        validFrom: '2025-10-01',
        validUntil: null,
      },
      client,
    );
    await approveRequest(as(officer('cong-an', 'owner'), '2025-09-16T10:00:00+07:00'), ethnicity.id, null, client);

    const members = await submitRequest(
      as(officer('so-noi-vu', 'official'), '2025-11-03T14:00:00+07:00'),
      {
        provider: 'cong-an',
        fields: ['Household.members', 'Household.head'],
        purpose: 'Xét duyệt trợ cấp xã hội hằng tháng theo hộ gia đình',
        legalBasis: 'Nghị định 20/2021/NĐ-CP; Nghị định 47/2020/NĐ-CP, Điều 14',
        validFrom: '2025-11-10',
        validUntil: '2030-12-31',
      },
      client,
    );
    const { grant: membersGrant } = await approveRequest(as(officer('cong-an', 'owner'), '2025-11-04T09:00:00+07:00'), members.id, null, client);
    await transitionGrant(
      as(officer('cong-an', 'owner'), '2026-02-02T16:00:00+07:00'),
      'suspend',
      membersGrant.id,
      'Truy vấn vượt phạm vi mục đích đã đăng ký; tạm dừng chờ giải trình (Quy chế, Điều 16.2.h).',
      client,
    );

    const certificates = await submitRequest(
      as(officer('so-xay-dung', 'official'), '2025-12-01T10:15:00+07:00'),
      {
        provider: 'so-nn-mt',
        fields: ['Citizen.landCertificates'],
        purpose: 'Rà soát hồ sơ cấp phép xây dựng',
        legalBasis: 'Luật Xây dựng 2014, sửa đổi 2020',
        validFrom: '2026-01-01',
        validUntil: '2026-12-31',
      },
      client,
    );
    await refuseRequest(
      as(officer('so-nn-mt', 'owner'), '2025-12-02T11:00:00+07:00'),
      certificates.id,
      'Mục đích chưa nêu thủ tục hành chính cần dữ liệu; giấy phép xây dựng đã có LandParcel.certificate (DEFAULT). Đề nghị bổ sung văn bản giao nhiệm vụ.',
      client,
    );

    await submitRequest(
      as(officer('ubnd-tuy-hoa', 'official'), '2026-01-05T10:00:00+07:00'),
      {
        provider: 'cong-an',
        fields: ['Citizen.household'],
        purpose: 'Cập nhật danh sách hộ gia đình phục vụ bầu cử đại biểu Quốc hội và HĐND các cấp',
        legalBasis: 'Luật Bầu cử đại biểu Quốc hội và đại biểu HĐND 2015, Điều 29',
        validFrom: '2026-01-12',
        validUntil: '2026-03-31',
      },
      client,
    );
  });
}
