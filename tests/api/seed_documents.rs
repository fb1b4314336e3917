//! Each source document, checked fact by fact against its text, as an API user reads it.
//! The quoted words are the document's own.

use serde_json::{json, Value};

use crate::helpers::TestApp;

const PLAN: &str = r#"query($code: String!) {
  plan(code: $code) {
    code documentNumber title startYear endYear issuedOn note
    issuer { code kind }
    area { code }
    parent { code }
    reportingDeadlines { periodKind dueDay dueMonth }
    objectives {
      number domain note
      targets {
        code text comparator value targetYear note
        indicator { code }
        assignments { role scope agency { code kind } }
      }
    }
  }
}"#;

struct Plan(Value);

impl Plan {
    async fn read(app: &TestApp, code: &str) -> Plan {
        Plan(app.data(&app.admin(), PLAN, json!({ "code": code })).await["plan"].clone())
    }

    fn objectives(&self) -> &Vec<Value> {
        self.0["objectives"].as_array().expect("objectives")
    }

    fn objective_numbers(&self) -> Vec<i64> {
        self.objectives().iter().filter_map(|o| o["number"].as_i64()).collect()
    }

    fn targets(&self) -> Vec<&Value> {
        self.objectives().iter().flat_map(|o| o["targets"].as_array().into_iter().flatten()).collect()
    }

    fn target(&self, code: &str) -> &Value {
        self.targets().into_iter().find(|t| t["code"] == code).unwrap_or_else(|| panic!("no target {code}"))
    }

    /// indicator, comparator, value and target year of a target.
    fn measure(&self, code: &str) -> (String, String, f64, i64) {
        let t = self.target(code);
        (
            t["indicator"]["code"].as_str().unwrap_or("-").to_owned(),
            t["comparator"].as_str().unwrap_or("-").to_owned(),
            t["value"].as_f64().unwrap_or(f64::NAN),
            t["targetYear"].as_i64().unwrap_or(0),
        )
    }

    fn agencies(&self, code: &str, role: &str) -> Vec<String> {
        let mut agencies: Vec<String> = self.target(code)["assignments"]
            .as_array()
            .expect("assignments")
            .iter()
            .filter(|a| a["role"] == role)
            .map(|a| a["agency"]["code"].as_str().unwrap_or_default().to_owned())
            .collect();
        agencies.sort();
        agencies
    }

    fn deadlines(&self) -> Vec<(String, i64, i64)> {
        self.0["reportingDeadlines"]
            .as_array()
            .expect("deadlines")
            .iter()
            .map(|d| {
                (
                    d["periodKind"].as_str().unwrap_or_default().to_owned(),
                    d["dueDay"].as_i64().unwrap_or(0),
                    d["dueMonth"].as_i64().unwrap_or(0),
                )
            })
            .collect()
    }
}

fn m(indicator: &str, comparator: &str, value: f64, year: i64) -> (String, String, f64, i64) {
    (indicator.to_owned(), comparator.to_owned(), value, year)
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn document_000_ban_dan_toc_thai_nguyen() {
    let app = TestApp::seeded().await;
    let plan = Plan::read(&app, "thai-nguyen-bdt-bdg-2021-2025").await;
    // "Số: /KH-BDT", "ngày tháng năm 2021": number and day blank.
    assert!(plan.0["documentNumber"].is_null() && plan.0["issuedOn"].is_null());
    assert_eq!((plan.0["startYear"].as_i64(), plan.0["endYear"].as_i64()), (Some(2021), Some(2025)));
    // "Thực hiện Kế hoạch số 191/KH-UBND ngày 22/10/2021 của Ủy ban nhân dân tỉnh"
    assert_eq!(plan.0["parent"]["code"], "thai-nguyen-kh-191-2021");
    assert_eq!(plan.0["issuer"], json!({ "code": "19-BDT", "kind": "ETHNIC_AFFAIRS" }));
    // §II items 2–5 are the specific objectives, numbered as in the document.
    assert_eq!(plan.objective_numbers(), [2, 3, 4, 5]);
    assert_eq!(plan.targets().len(), 7);
    // "ít nhất 30% cán bộ nữ tham gia cấp uỷ Chi bộ cơ quan"
    assert_eq!(plan.measure("M2.CT1a"), m("WOMEN_IN_PARTY_COMMITTEE_PCT", "AT_LEAST", 30.0, 2025));
    // "ít nhất 20% cán bộ nữ cơ quan tham gia lãnh đạo quản lý"
    assert_eq!(plan.measure("M2.CT1b"), m("WOMEN_IN_MANAGEMENT_PCT", "AT_LEAST", 20.0, 2025));
    // "Duy trì 100% tổ chức Đảng, chính quyền, đoàn thể cơ quan được phổ biến"
    assert_eq!(plan.measure("M3.CT1").0, "ORGANISATIONS_GE_INFORMED_PCT");
    assert_eq!(plan.measure("M3.CT1").2, 100.0);
    // "60% người dân thuộc vùng dân tộc thiểu số và miền núi"
    assert_eq!(plan.measure("M4.CT1c").1, "AT_LEAST");
    assert_eq!(plan.measure("M4.CT1c").2, 60.0);
    // Item 5 (news on the website) is qualitative.
    assert!(plan.target("M5.CT1")["indicator"].is_null() && plan.target("M5.CT1")["value"].is_null());
    // "Giao Thanh tra Ban chủ trì, theo dõi việc triển khai thực hiện Kế hoạch này"
    for t in plan.targets() {
        let code = t["code"].as_str().unwrap_or_default();
        assert_eq!(plan.agencies(code, "LEAD"), codes(&["19-BDT-TTRA"]), "{code}");
    }
    // Only an annual report, with no date: no deadline.
    assert!(plan.deadlines().is_empty());
}

#[tokio::test]
async fn document_001_thai_nguyen_annual_plan_2023() {
    let app = TestApp::seeded().await;
    let plan = Plan::read(&app, "thai-nguyen-kh-59-2023").await;
    // "Số: 59 /KH-UBND", "Thái Nguyên, ngày 13 tháng 4 năm 2023"
    assert_eq!(plan.0["documentNumber"], "59/KH-UBND");
    assert_eq!(plan.0["issuedOn"], "2023-04-13");
    assert_eq!((plan.0["startYear"].as_i64(), plan.0["endYear"].as_i64()), (Some(2023), Some(2023)));
    // "Căn cứ Nghị quyết số 28/NQ-CP ngày 03/3/2021 của Chính phủ"
    assert_eq!(plan.0["parent"]["code"], "nq-28-2021");
    assert_eq!(plan.0["issuer"]["code"], "19-UBND");
    // Nine tasks in §II, each bullet a qualitative target.
    assert_eq!(plan.objective_numbers(), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(plan.targets().len(), 34);
    assert!(plan.targets().iter().all(|t| t["indicator"].is_null() && t["value"].is_null()));
    // "5. Tham mưu với cấp ủy, chính quyền cùng cấp các giải pháp nhằm nâng cao chất lượng công tác cán bộ nữ"
    assert_eq!(plan.objectives()[4]["domain"], "POLITICS");
    // Sở Nội vụ: "Chủ trì tổ chức, triển khai nội dung của Quyết định số 2282/QĐ-TTg"
    assert!(plan.agencies("M5.CT3", "LEAD").contains(&"19-SNV".to_owned()));
    // Sở Tài chính: "trình UBND tỉnh cân đối, bố trí kinh phí"
    assert!(plan.agencies("M7.CT1", "LEAD").contains(&"19-STC".to_owned()));
    // Sở Thông tin và Truyền thông: "Chủ trì, phối hợp với Sở Lao động - Thương binh và Xã hội"
    assert!(plan.agencies("M4.CT1", "LEAD").contains(&"19-STTTT".to_owned()));
    // Hội LHPN tỉnh: "Chủ trì triển khai các hoạt động của Dự án 8"
    assert!(plan.agencies("M2.CT3", "LEAD").contains(&"19-HLHPN".to_owned()));
    // "06 tháng đầu năm (trước ngày 10/6) và báo cáo năm 2023 (trước ngày 10/11)"
    assert_eq!(plan.deadlines(), [("SEMIANNUAL".to_owned(), 10, 6), ("ANNUAL".to_owned(), 10, 11)]);
}

#[tokio::test]
async fn document_004_tan_yen() {
    let app = TestApp::seeded().await;
    let plan = Plan::read(&app, "tan-yen-bdg-2021-2025").await;
    // "Thực hiện Kế hoạch số 311/KH-UBND ngày 05/7/2021 của UBND tỉnh Bắc Giang"
    assert_eq!(plan.0["parent"]["code"], "bac-giang-kh-311-2021");
    assert!(plan.0["documentNumber"].is_null() && plan.0["issuedOn"].is_null());
    assert_eq!(plan.objective_numbers(), [1, 2, 3, 4, 5, 6]);
    assert_eq!(plan.targets().len(), 22);
    // "Đạt 60% các cơ quan quản lý nhà nước, chính quyền địa phương các cấp có lãnh đạo chủ chốt là nữ"
    assert_eq!(plan.measure("M1.CT1"), m("WOMEN_KEY_LEADER_AGENCIES_PCT", "AT_LEAST", 60.0, 2025));
    // Phòng Nội vụ: "chỉ tiêu của mục tiêu 1"
    assert_eq!(plan.agencies("M1.CT1", "LEAD"), codes(&["216-NV"]));
    // "xuống dưới 30%"
    assert_eq!(plan.measure("M2.CT2"), m("FEMALE_AGRICULTURE_EMPLOYMENT_PCT", "LESS_THAN", 30.0, 2025));
    // "đạt 27% trở lên"; Chi Cục Thống kê: "chỉ tiêu 3 của mục tiêu 2"
    assert_eq!(plan.measure("M2.CT3"), m("WOMEN_BUSINESS_DIRECTORS_PCT", "AT_LEAST", 27.0, 2025));
    assert_eq!(plan.agencies("M2.CT3", "LEAD"), codes(&["216-CCTK"]));
    // "còn 1,7 lần"
    assert_eq!(plan.measure("M3.CT1"), m("UNPAID_CARE_HOURS_RATIO", "AT_MOST", 1.7, 2025));
    // "không vượt quá 115 bé trai/100 bé gái sinh ra sống"; Phòng Y tế: "các chỉ tiêu của mục tiêu 4"
    assert_eq!(plan.measure("M4.CT1"), m("SEX_RATIO_AT_BIRTH", "AT_MOST", 115.0, 2025));
    for code in ["M4.CT1", "M4.CT2", "M4.CT3"] {
        assert_eq!(plan.agencies(code, "LEAD"), codes(&["216-YTE"]), "{code}");
    }
    // "xuống dưới 15/100.000 trẻ sinh sống"; "xuống 18 ca sinh/1.000 phụ nữ"
    assert_eq!(plan.measure("M4.CT2"), m("MATERNAL_MORTALITY_RATIO", "LESS_THAN", 15.0, 2025));
    assert_eq!(plan.measure("M4.CT3"), m("ADOLESCENT_BIRTH_RATE", "AT_MOST", 18.0, 2025));
    // "hoàn thành giáo dục tiểu học đạt trên 95%; … trung học cơ sở đạt khoảng 85%"
    assert_eq!(plan.measure("M5.CT2a"), m("EM_PRIMARY_COMPLETION_PCT", "MORE_THAN", 95.0, 2025));
    assert_eq!(plan.measure("M5.CT2b"), m("EM_LOWER_SECONDARY_COMPLETION_PCT", "ABOUT", 85.0, 2025));
    // "Đưa nội dung về giới, bình đẳng giới vào chương trình giảng dạy"
    assert_eq!(plan.target("M5.CT1")["comparator"], "ACHIEVED");
    assert!(plan.target("M5.CT1")["value"].is_null());
    // Phòng Văn hóa và Thông tin: "chỉ tiêu 2 (số liệu về bạo lực gia đình) của mục tiêu 3; các chỉ tiêu 3, 4 của mục tiêu 6"
    assert_eq!(plan.agencies("M3.CT2a", "LEAD"), codes(&["216-LDTBXH", "216-VHTT"]));
    assert_eq!(plan.agencies("M6.CT3", "LEAD"), codes(&["216-VHTT"]));
    assert_eq!(plan.agencies("M6.CT4", "LEAD"), codes(&["216-VHTT"]));
    // "trước ngày 10/6 đối với báo cáo 06 tháng và trước ngày 01/12 đối với báo cáo năm"
    assert_eq!(plan.deadlines(), [("SEMIANNUAL".to_owned(), 10, 6), ("ANNUAL".to_owned(), 1, 12)]);
}

#[tokio::test]
async fn document_002_bac_yen() {
    let app = TestApp::seeded().await;
    let plan = Plan::read(&app, "bac-yen-bdg-2021-2025").await;
    // "Số: /KH-UBND", "ngày tháng 7 năm 2021"
    assert!(plan.0["documentNumber"].is_null() && plan.0["issuedOn"].is_null());
    // "Thực hiện Kế hoạch số 111/KH-UBND ngày 27 tháng 4 năm 2021 của Ủy ban nhân dân tỉnh Sơn La"
    assert_eq!(plan.0["parent"]["code"], "son-la-kh-111-2021");
    assert_eq!(plan.objective_numbers(), [1, 2, 3, 4, 5, 6]);
    assert_eq!(plan.targets().len(), 20);
    // "đạt 35% các cơ quan hành chính nhà nước … có lãnh đạo chủ chốt là nữ; Phấn đấu 100% nữ đại biểu dân cử …"
    assert_eq!(plan.measure("M1.CT1a"), m("WOMEN_KEY_LEADER_AGENCIES_PCT", "AT_LEAST", 35.0, 2025));
    assert_eq!(plan.measure("M1.CT1b"), m("WOMEN_LEADERS_GE_TRAINED_PCT", "AT_LEAST", 100.0, 2025));
    // "lên đạt 25%"; "xuống dưới 40%"; "đạt ít nhất 15%"
    assert_eq!(plan.measure("M2.CT1").2, 25.0);
    assert_eq!(plan.measure("M2.CT2"), m("FEMALE_AGRICULTURE_EMPLOYMENT_PCT", "LESS_THAN", 40.0, 2025));
    assert_eq!(plan.measure("M2.CT3"), m("WOMEN_BUSINESS_DIRECTORS_PCT", "AT_LEAST", 15.0, 2025));
    // Phòng Tài chính - Kế hoạch: "thu thập và báo cáo số liệu liên quan tới thực hiện chỉ tiêu 3 của mục tiêu 2"
    assert_eq!(plan.agencies("M2.CT3", "LEAD"), codes(&["121-TCKH"]));
    // "ở mức 114,2 bé trai/100 bé gái"; "<48/100.000 trẻ đẻ sống"; "giảm còn 20/1.000 phụ nữ"
    assert_eq!(plan.measure("M4.CT1"), m("SEX_RATIO_AT_BIRTH", "AT_MOST", 114.2, 2025));
    assert_eq!(plan.measure("M4.CT2"), m("MATERNAL_MORTALITY_RATIO", "LESS_THAN", 48.0, 2025));
    assert_eq!(plan.measure("M4.CT3"), m("ADOLESCENT_BIRTH_RATE", "AT_MOST", 20.0, 2025));
    // "Văn phòng HĐND và UBND huyện, Trung tâm Y tế huyện … Báo cáo kết quả triển khai các chỉ tiêu tại mục tiêu 4"
    assert_eq!(plan.agencies("M4.CT2", "LEAD"), codes(&["121-TTYT", "121-VP"]));
    // "đạt khoảng 98%"; only masters, "ít nhất 25%"
    assert_eq!(plan.measure("M5.CT2a"), m("EM_PRIMARY_COMPLETION_PCT", "ABOUT", 98.0, 2025));
    assert_eq!(plan.measure("M5.CT4"), m("FEMALE_MASTERS_PCT", "AT_LEAST", 25.0, 2025));
    // Nội vụ and GD&ĐT each "phối hợp" on 5.3 and 5.4; nobody leads them.
    assert!(plan.agencies("M5.CT3", "LEAD").is_empty());
    assert_eq!(plan.agencies("M5.CT3", "SUPPORT"), codes(&["121-GDDT", "121-NV"]));
    // Công an huyện: "Cung cấp số liệu báo cáo kết quả triển khai các chỉ tiêu 3 mục tiêu 3"
    assert!(plan.agencies("M3.CT3", "LEAD").contains(&"121-CA".to_owned()));
    // "trước ngày 18/5 đối với báo cáo 6 tháng đầu năm và trước ngày 20/11 đối với báo cáo tổng kết năm"
    assert_eq!(plan.deadlines(), [("SEMIANNUAL".to_owned(), 18, 5), ("ANNUAL".to_owned(), 20, 11)]);
}

#[tokio::test]
async fn document_003_huong_tra() {
    let app = TestApp::seeded().await;
    let plan = Plan::read(&app, "huong-tra-bdg-2021-2025").await;
    // "Thực hiện Kế hoạch số 212/KH-UBND ngày 11/6/2021 của UBND tỉnh Thừa Thiên Huế"
    assert_eq!(plan.0["parent"]["code"], "thua-thien-hue-kh-212-2021");
    assert_eq!(plan.objective_numbers(), [1, 2, 3, 4, 5, 6]);
    assert_eq!(plan.targets().len(), 21);
    // Objective 3 lists three targets; objective 4 three.
    assert_eq!(plan.objectives()[2]["targets"].as_array().map(Vec::len), Some(4));
    assert_eq!(plan.objectives()[3]["targets"].as_array().map(Vec::len), Some(3));
    // "Đạt ít nhất 30% nữ giám đốc/chủ doanh nghiệp"
    assert_eq!(plan.measure("M2.CT3"), m("WOMEN_BUSINESS_DIRECTORS_PCT", "AT_LEAST", 30.0, 2025));
    // "còn 2 lần"; Chi cục Thống kê: "chỉ tiêu 1 của mục tiêu 3 và chỉ tiêu 4 của mục tiêu 5"
    assert_eq!(plan.measure("M3.CT1"), m("UNPAID_CARE_HOURS_RATIO", "AT_MOST", 2.0, 2025));
    assert_eq!(plan.agencies("M3.CT1", "LEAD"), codes(&["480-CCTK"]));
    assert_eq!(plan.agencies("M5.CT4a", "LEAD"), codes(&["480-CCTK"]));
    // "ở mức 110 bé trai/100 bé gái"; "dưới 10/100.000"; "thấp hơn 15/1.000 phụ nữ"
    assert_eq!(plan.measure("M4.CT1"), m("SEX_RATIO_AT_BIRTH", "AT_MOST", 110.0, 2025));
    assert_eq!(plan.measure("M4.CT2"), m("MATERNAL_MORTALITY_RATIO", "LESS_THAN", 10.0, 2025));
    assert_eq!(plan.measure("M4.CT3"), m("ADOLESCENT_BIRTH_RATE", "LESS_THAN", 15.0, 2025));
    // "Phòng Y tế, Trung tâm Y tế … 04 chỉ tiêu của mục tiêu 4": kept, with the inconsistency noted.
    assert_eq!(plan.agencies("M4.CT1", "LEAD"), codes(&["480-TTYT", "480-YTE"]));
    let objective_4_note = plan.objectives()[3]["note"].as_str().unwrap_or_default();
    assert!(objective_4_note.contains("04 chỉ tiêu"), "{objective_4_note}");
    // "chỉ tiêu … 4 của mục tiêu 3", which the plan does not list: on the plan's note.
    let plan_note = plan.0["note"].as_str().unwrap_or_default();
    assert!(plan_note.contains("M3.CT4") && plan_note.contains("480-LDTBXH"), "{plan_note}");
    // "đạt trên 99%"; "đạt khoảng 95%"
    assert_eq!(plan.measure("M5.CT2a"), m("EM_PRIMARY_COMPLETION_PCT", "MORE_THAN", 99.0, 2025));
    assert_eq!(plan.measure("M5.CT2b"), m("EM_LOWER_SECONDARY_COMPLETION_PCT", "ABOUT", 95.0, 2025));
    // "(số liệu về bạo lực gia đình)" split between two agencies
    assert_eq!(plan.agencies("M3.CT2b", "LEAD"), codes(&["480-LDTBXH", "480-VHTT"]));
    // Trung tâm Văn hóa - Thông tin và Thể thao: "các chỉ tiêu 3, 4 của mục tiêu 6"
    assert_eq!(plan.agencies("M6.CT4", "LEAD"), codes(&["480-TTVHTTTT"]));
    // "định kỳ hàng năm (trước ngày 30/11)"
    assert_eq!(plan.deadlines(), [("ANNUAL".to_owned(), 30, 11)]);
}

#[tokio::test]
async fn seed_warns_about_every_inconsistency_of_the_documents() {
    let seeds = gender_data_hub::seeds::SeedSet::load(crate::helpers::base::seeds_dir()).expect("load");
    let warnings = seeds.warnings.join("\n");
    assert!(warnings.contains("huong-tra-bdg-2021-2025 objective 4"), "{warnings}");
    assert!(warnings.contains("target M3.CT4, which the plan does not list"), "{warnings}");
    assert_eq!(seeds.warnings.len(), 8, "{warnings}");
}

/// "Tỷ lệ trẻ em trai và trẻ em gái dân tộc thiểu số hoàn thành giáo dục tiểu học đạt …;
/// tỷ lệ hoàn thành cấp trung học cơ sở đạt …": girls and boys each, in 002, 003 and 004,
/// each citing its line; every other target of every plan is measured on the total.
#[tokio::test]
async fn targets_for_girls_and_boys_are_measured_on_each_sex() {
    let app = TestApp::seeded().await;
    let query = "{ plans { code objectives { targets { code measuredOn measuredOnSource } } } }";
    let data = app.data(&app.admin(), query, json!({})).await;
    let mut each_sex = Vec::new();
    for plan in data["plans"].as_array().expect("plans") {
        let targets = plan["objectives"].as_array().into_iter().flatten().flat_map(|o| o["targets"].as_array());
        for t in targets.flatten() {
            let (code, source) = (t["code"].as_str().unwrap_or_default(), t["measuredOnSource"].as_str());
            match t["measuredOn"].as_str() {
                Some("EACH_SEX") => each_sex.push((
                    plan["code"].as_str().unwrap_or_default().to_owned(),
                    code.to_owned(),
                    source.unwrap_or_default().to_owned(),
                )),
                Some("TOTAL") => assert!(source.is_none(), "{code}: {source:?}"),
                other => panic!("{code} is measured on {other:?}"),
            }
        }
    }
    let cites = |plan: &str, code: &str, line: &str| {
        let found = each_sex.iter().find(|(p, c, _)| p == plan && c == code);
        let source = found.map(|(_, _, s)| s.as_str()).unwrap_or_else(|| panic!("{plan} {code} is not EACH_SEX"));
        assert!(source.starts_with(line) && source.contains("trẻ em trai và trẻ em gái"), "{plan} {code}: {source}");
    };
    for code in ["M5.CT2a", "M5.CT2b"] {
        cites("bac-yen-bdg-2021-2025", code, "002 line 57: «Tỷ lệ trẻ em trai");
        cites("huong-tra-bdg-2021-2025", code, "003 line 25: «Tỷ lệ trẻ em trai");
        cites("tan-yen-bdg-2021-2025", code, "004 lines 123–12");
    }
    assert_eq!(each_sex.len(), 6, "{each_sex:?}");
}
