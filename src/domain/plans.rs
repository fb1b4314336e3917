//! Plans (kế hoạch) as their documents set them out: objectives, targets with their
//! comparators and years, the agencies assigned to each, and the reporting deadlines.

use chrono::NaiveDate;

use super::named_enum;
use super::observations::Sex;

/// The six domains of the national strategy (lĩnh vực), plus OTHER for annual-plan tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain {
    Politics,
    EconomyLabour,
    FamilyGbv,
    Health,
    Education,
    InformationCommunication,
    Other,
}
named_enum!(Domain {
    Politics = "POLITICS",
    EconomyLabour = "ECONOMY_LABOUR",
    FamilyGbv = "FAMILY_GBV",
    Health = "HEALTH",
    Education = "EDUCATION",
    InformationCommunication = "INFORMATION_COMMUNICATION",
    Other = "OTHER",
});

/// How a reported value is compared with a target's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    AtLeast,
    MoreThan,
    AtMost,
    LessThan,
    Equal,
    About,
    /// A yes/no target ("đưa nội dung … vào chương trình"): met when reported as achieved.
    Achieved,
}
named_enum!(Comparator {
    AtLeast = "AT_LEAST",
    MoreThan = "MORE_THAN",
    AtMost = "AT_MOST",
    LessThan = "LESS_THAN",
    Equal = "EQUAL",
    About = "ABOUT",
    Achieved = "ACHIEVED",
});

/// What a target is measured on: the total, women, men, or each sex separately ("tỷ lệ trẻ
/// em trai và trẻ em gái … đạt trên 95%" is met only when girls and boys each exceed 95%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SexScope {
    #[default]
    Total,
    Female,
    Male,
    EachSex,
}
named_enum!(SexScope { Total = "TOTAL", Female = "FEMALE", Male = "MALE", EachSex = "EACH_SEX" });

impl SexScope {
    /// The values a target is compared with: one per sex named, each of which must meet it.
    pub fn sexes(self) -> &'static [Sex] {
        match self {
            SexScope::Total => &[Sex::Total],
            SexScope::Female => &[Sex::Female],
            SexScope::Male => &[Sex::Male],
            SexScope::EachSex => &[Sex::Female, Sex::Male],
        }
    }
}

/// LEAD = chủ trì / chịu trách nhiệm; SUPPORT = phối hợp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssignmentRole {
    Lead,
    Support,
}
named_enum!(AssignmentRole { Lead = "LEAD", Support = "SUPPORT" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Monthly,
    Quarterly,
    Semiannual,
    Annual,
}
named_enum!(PeriodKind {
    Monthly = "MONTHLY",
    Quarterly = "QUARTERLY",
    Semiannual = "SEMIANNUAL",
    Annual = "ANNUAL",
});

/// A plan (Kế hoạch). `code` is a stable slug: document numbers repeat and are sometimes
/// left blank in the letters.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub id: i64,
    pub code: String,
    pub document_number: Option<String>,
    pub title: String,
    pub issuer_code: Option<String>,
    pub area_id: super::areas::AreaId,
    pub area_code: String,
    pub start_year: i32,
    pub end_year: i32,
    pub issued_on: Option<NaiveDate>,
    pub parent_code: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// An objective (Mục tiêu) of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    pub id: i64,
    pub plan_id: i64,
    pub number: i32,
    pub title: String,
    pub domain: Domain,
    pub source: Option<String>,
    pub note: Option<String>,
}

impl Objective {
    pub fn code(&self) -> String {
        format!("M{}", self.number)
    }
}

/// One measurable commitment (Chỉ tiêu). Qualitative targets have no indicator or value.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: i64,
    pub objective_id: i64,
    pub code: String,
    pub text: String,
    pub indicator_code: Option<String>,
    pub comparator: Option<Comparator>,
    pub value: Option<f64>,
    pub target_year: Option<i32>,
    /// The total, one sex, or each sex (then met only when every sex meets it).
    pub measured_on: SexScope,
    /// The document's words that say so, e.g. "002 line 57: «…»"; none for the total by default.
    pub measured_on_source: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    /// The area of the plan that sets the target: where progress is measured by default.
    pub plan_area_id: super::areas::AreaId,
    pub plan_area_code: String,
}

/// Which agency must report a target, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub id: i64,
    pub target_id: i64,
    pub agency_code: String,
    pub role: AssignmentRole,
    /// e.g. "số liệu về bạo lực gia đình" when two agencies split one target.
    pub scope: Option<String>,
    pub note: Option<String>,
}

/// A recurring reporting deadline (chế độ báo cáo) of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportingDeadline {
    pub id: i64,
    pub plan_id: i64,
    pub period_kind: PeriodKind,
    pub due_day: i32,
    pub due_month: i32,
}
