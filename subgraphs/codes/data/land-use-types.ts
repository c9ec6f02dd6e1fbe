/**
 * Land-use type symbols ("ký hiệu loại đất") written in the parcels of cadastral maps, with their
 * names, as in Circular 25/2014/TT-BTNMT on cadastral maps (the same symbols and names as the land
 * statistics of Circular 28/2014/TT-BTNMT), i.e. the classification of the 2013 Land Law, which is what
 * existing cadastral maps and certificates carry.
 *
 * Only the most detailed categories are listed (no group totals such as NNP, SXN, LUA, HNK, CHN, LNP,
 * PNN, CSD). Circular 08/2024/TT-BTNMT (2024 Land Law) keeps most symbols but renames or adds some
 * (e.g. LUC "Đất chuyên trồng lúa", LUK "Đất trồng lúa còn lại"); those changes are not reflected here.
 */
export type LandUseGroup = 'AGRICULTURAL' | 'NON_AGRICULTURAL' | 'UNUSED';

export const landUseTypes: ReadonlyArray<{ code: string; name: string; group: LandUseGroup }> = Object.freeze(
  (
    [
      // Nhóm đất nông nghiệp
      ['LUC', 'Đất chuyên trồng lúa nước', 'AGRICULTURAL'],
      ['LUK', 'Đất trồng lúa nước còn lại', 'AGRICULTURAL'],
      ['LUN', 'Đất trồng lúa nương', 'AGRICULTURAL'],
      ['BHK', 'Đất bằng trồng cây hàng năm khác', 'AGRICULTURAL'],
      ['NHK', 'Đất nương rẫy trồng cây hàng năm khác', 'AGRICULTURAL'],
      ['CLN', 'Đất trồng cây lâu năm', 'AGRICULTURAL'],
      ['RSX', 'Đất rừng sản xuất', 'AGRICULTURAL'],
      ['RPH', 'Đất rừng phòng hộ', 'AGRICULTURAL'],
      ['RDD', 'Đất rừng đặc dụng', 'AGRICULTURAL'],
      ['NTS', 'Đất nuôi trồng thủy sản', 'AGRICULTURAL'],
      ['LMU', 'Đất làm muối', 'AGRICULTURAL'],
      ['NKH', 'Đất nông nghiệp khác', 'AGRICULTURAL'],
      // Nhóm đất phi nông nghiệp
      ['ONT', 'Đất ở tại nông thôn', 'NON_AGRICULTURAL'],
      ['ODT', 'Đất ở tại đô thị', 'NON_AGRICULTURAL'],
      ['TSC', 'Đất xây dựng trụ sở cơ quan', 'NON_AGRICULTURAL'],
      ['DTS', 'Đất xây dựng trụ sở của tổ chức sự nghiệp', 'NON_AGRICULTURAL'],
      ['DVH', 'Đất xây dựng cơ sở văn hóa', 'NON_AGRICULTURAL'],
      ['DYT', 'Đất xây dựng cơ sở y tế', 'NON_AGRICULTURAL'],
      ['DGD', 'Đất xây dựng cơ sở giáo dục và đào tạo', 'NON_AGRICULTURAL'],
      ['DTT', 'Đất xây dựng cơ sở thể dục thể thao', 'NON_AGRICULTURAL'],
      ['DKH', 'Đất xây dựng cơ sở khoa học và công nghệ', 'NON_AGRICULTURAL'],
      ['DXH', 'Đất xây dựng cơ sở dịch vụ xã hội', 'NON_AGRICULTURAL'],
      ['DNG', 'Đất xây dựng cơ sở ngoại giao', 'NON_AGRICULTURAL'],
      ['DSK', 'Đất xây dựng công trình sự nghiệp khác', 'NON_AGRICULTURAL'],
      ['CQP', 'Đất quốc phòng', 'NON_AGRICULTURAL'],
      ['CAN', 'Đất an ninh', 'NON_AGRICULTURAL'],
      ['SKK', 'Đất khu công nghiệp', 'NON_AGRICULTURAL'],
      ['SKN', 'Đất cụm công nghiệp', 'NON_AGRICULTURAL'],
      ['SKT', 'Đất khu chế xuất', 'NON_AGRICULTURAL'],
      ['TMD', 'Đất thương mại, dịch vụ', 'NON_AGRICULTURAL'],
      ['SKC', 'Đất cơ sở sản xuất phi nông nghiệp', 'NON_AGRICULTURAL'],
      ['SKS', 'Đất sử dụng cho hoạt động khoáng sản', 'NON_AGRICULTURAL'],
      ['SKX', 'Đất sản xuất vật liệu xây dựng, làm đồ gốm', 'NON_AGRICULTURAL'],
      ['DGT', 'Đất giao thông', 'NON_AGRICULTURAL'],
      ['DTL', 'Đất thủy lợi', 'NON_AGRICULTURAL'],
      ['DDT', 'Đất có di tích lịch sử - văn hóa', 'NON_AGRICULTURAL'],
      ['DDL', 'Đất danh lam thắng cảnh', 'NON_AGRICULTURAL'],
      ['DSH', 'Đất sinh hoạt cộng đồng', 'NON_AGRICULTURAL'],
      ['DKV', 'Đất khu vui chơi, giải trí công cộng', 'NON_AGRICULTURAL'],
      ['DNL', 'Đất công trình năng lượng', 'NON_AGRICULTURAL'],
      ['DBV', 'Đất công trình bưu chính, viễn thông', 'NON_AGRICULTURAL'],
      ['DCH', 'Đất chợ', 'NON_AGRICULTURAL'],
      ['DRA', 'Đất bãi thải, xử lý chất thải', 'NON_AGRICULTURAL'],
      ['DCK', 'Đất công trình công cộng khác', 'NON_AGRICULTURAL'],
      ['TON', 'Đất cơ sở tôn giáo', 'NON_AGRICULTURAL'],
      ['TIN', 'Đất cơ sở tín ngưỡng', 'NON_AGRICULTURAL'],
      ['NTD', 'Đất làm nghĩa trang, nghĩa địa, nhà tang lễ, nhà hỏa táng', 'NON_AGRICULTURAL'],
      ['SON', 'Đất sông, ngòi, kênh, rạch, suối', 'NON_AGRICULTURAL'],
      ['MNC', 'Đất có mặt nước chuyên dùng', 'NON_AGRICULTURAL'],
      ['PNK', 'Đất phi nông nghiệp khác', 'NON_AGRICULTURAL'],
      // Nhóm đất chưa sử dụng
      ['BCS', 'Đất bằng chưa sử dụng', 'UNUSED'],
      ['DCS', 'Đất đồi núi chưa sử dụng', 'UNUSED'],
      ['NCS', 'Núi đá không có rừng cây', 'UNUSED'],
    ] as const
  ).map(([code, name, group]) => Object.freeze({ code, name, group })),
);
