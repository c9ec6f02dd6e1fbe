/**
 * A SUBSET of the Vietnam Standard Industrial Classification 2018 (VSIC 2018, "Hệ thống ngành kinh tế
 * Việt Nam", Decision 27/2018/QĐ-TTg of 6 July 2018, Appendix I), level-4 codes only: the business lines
 * most common in a coastal Central Highlands province (crops, livestock, forestry, fishing and
 * aquaculture, food processing, construction, trade, transport, tourism, IT, real estate, education,
 * health). It is not the full list (VSIC 2018 has several hundred level-4 codes).
 *
 * Note: VSIC 2018 split some VSIC 2007 classes, so 4100, 4210 and 4290 no longer exist; their 2018
 * successors are 4101/4102, 4211/4212 and 4291–4299. The 2025 revision of VSIC renumbers some classes
 * again (e.g. in sections D and G); the codes and names here are those of VSIC 2018.
 */
export const businessLines: ReadonlyArray<{ code: string; name: string }> = Object.freeze([
  // A — Nông nghiệp, lâm nghiệp và thủy sản
  { code: '0111', name: 'Trồng lúa' },
  { code: '0112', name: 'Trồng ngô và cây lương thực có hạt khác' },
  { code: '0113', name: 'Trồng cây lấy củ có chất bột' },
  { code: '0121', name: 'Trồng cây ăn quả' },
  { code: '0123', name: 'Trồng cây điều' },
  { code: '0124', name: 'Trồng cây hồ tiêu' },
  { code: '0125', name: 'Trồng cây cao su' },
  { code: '0126', name: 'Trồng cây cà phê' },
  { code: '0141', name: 'Chăn nuôi trâu, bò và sản xuất giống trâu, bò' },
  { code: '0145', name: 'Chăn nuôi lợn và sản xuất giống lợn' },
  { code: '0146', name: 'Chăn nuôi gia cầm' },
  { code: '0161', name: 'Hoạt động dịch vụ trồng trọt' },
  { code: '0210', name: 'Trồng rừng, chăm sóc rừng và ươm giống cây lâm nghiệp' },
  { code: '0311', name: 'Khai thác thủy sản biển' },
  { code: '0321', name: 'Nuôi trồng thủy sản biển' },
  { code: '0322', name: 'Nuôi trồng thủy sản nội địa' },
  // C — Công nghiệp chế biến, chế tạo
  { code: '1020', name: 'Chế biến, bảo quản thủy sản và các sản phẩm từ thủy sản' },
  { code: '1030', name: 'Chế biến và bảo quản rau quả' },
  { code: '1062', name: 'Sản xuất tinh bột và các sản phẩm từ tinh bột' },
  { code: '1077', name: 'Sản xuất cà phê' },
  { code: '1080', name: 'Sản xuất thức ăn gia súc, gia cầm và thủy sản' },
  // F — Xây dựng
  { code: '4101', name: 'Xây dựng nhà để ở' },
  { code: '4102', name: 'Xây dựng nhà không để ở' },
  { code: '4212', name: 'Xây dựng công trình đường bộ' },
  { code: '4299', name: 'Xây dựng công trình kỹ thuật dân dụng khác' },
  // G — Bán buôn và bán lẻ
  { code: '4620', name: 'Bán buôn nông, lâm sản nguyên liệu (trừ gỗ, tre, nứa) và động vật sống' },
  { code: '4632', name: 'Bán buôn thực phẩm' },
  { code: '4663', name: 'Bán buôn vật liệu, thiết bị lắp đặt khác trong xây dựng' },
  { code: '4719', name: 'Bán lẻ khác trong các cửa hàng kinh doanh tổng hợp' },
  { code: '4722', name: 'Bán lẻ thực phẩm trong các cửa hàng chuyên doanh' },
  { code: '4730', name: 'Bán lẻ nhiên liệu động cơ trong các cửa hàng chuyên doanh' },
  { code: '4772', name: 'Bán lẻ thuốc, dụng cụ y tế, mỹ phẩm và vật phẩm vệ sinh trong các cửa hàng chuyên doanh' },
  // H — Vận tải kho bãi
  { code: '4933', name: 'Vận tải hàng hóa bằng đường bộ' },
  // I — Dịch vụ lưu trú và ăn uống
  { code: '5510', name: 'Dịch vụ lưu trú ngắn ngày' },
  { code: '5610', name: 'Nhà hàng và các dịch vụ ăn uống phục vụ lưu động' },
  // J — Thông tin và truyền thông
  { code: '6201', name: 'Lập trình máy vi tính' },
  // L — Hoạt động kinh doanh bất động sản
  { code: '6810', name: 'Kinh doanh bất động sản, quyền sử dụng đất thuộc chủ sở hữu, chủ sử dụng hoặc đi thuê' },
  // N — Hoạt động hành chính và dịch vụ hỗ trợ
  { code: '7912', name: 'Điều hành tua du lịch' },
  // P — Giáo dục và đào tạo
  { code: '8510', name: 'Giáo dục mầm non' },
  { code: '8521', name: 'Giáo dục tiểu học' },
  // Q — Y tế và hoạt động trợ giúp xã hội
  { code: '8610', name: 'Hoạt động của các bệnh viện, trạm y tế' },
  { code: '8620', name: 'Hoạt động của các phòng khám đa khoa, chuyên khoa và nha khoa' },
].map((line) => Object.freeze(line)));
