//! The GraphQL enums: one mirror per domain (or auth) enum it serves, so that `domain` and
//! `auth` need not know GraphQL. Each mirror has its domain enum's variants, in the same
//! order (the SDL lists them so), and `From` both ways from async-graphql's `remote`
//! derive: a variant added on one side only is a compile error here. The doc comments are
//! the schema's descriptions, and `schema.graphql` holds them word for word.
//!
//! Naming: the domain's name with `Enum` after it, as the objects are `…Object`; the
//! GraphQL name stays the domain's.

use async_graphql::Enum;

/// What kind of body an agency (cơ quan) is: it decides nothing by itself, but lets users
/// find "the police" or "the statistics office" of any area.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "AgencyKind", remote = "crate::domain::agencies::AgencyKind")]
pub enum AgencyKindEnum {
    Statistics,
    Police,
    Health,
    Education,
    Labour,
    HomeAffairs,
    Culture,
    Justice,
    FinancePlanning,
    EthnicAffairs,
    PeopleCommittee,
    MassOrganisation,
    Other,
}

/// Level of an administrative unit (cấp hành chính).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "AreaLevel", remote = "crate::domain::areas::AreaLevel")]
pub enum AreaLevelEnum {
    Nation,
    Province,
    District,
    Commune,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "AuditAction", remote = "crate::domain::audit::AuditAction")]
pub enum AuditActionEnum {
    Push,
    Approve,
    Reject,
    IssueToken,
    RevokeToken,
}

/// The unit a value of an indicator is expressed in.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Unit", remote = "crate::domain::indicators::Unit")]
pub enum UnitEnum {
    Percent,
    /// e.g. boys per 100 girls at birth
    RatioPer100,
    Per1000,
    Per100000,
    Times,
    Count,
    Boolean,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Direction", remote = "crate::domain::indicators::Direction")]
pub enum DirectionEnum {
    HigherIsBetter,
    LowerIsBetter,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Sex", remote = "crate::domain::observations::Sex")]
pub enum SexEnum {
    Female,
    Male,
    Total,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ObservationStatus", remote = "crate::domain::observations::ObservationStatus")]
pub enum ObservationStatusEnum {
    Submitted,
    Approved,
    Rejected,
}

/// The order of a page of observations.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ObservationOrder", remote = "crate::domain::observations::ObservationOrder")]
pub enum ObservationOrderEnum {
    /// By id: the order values were first reported in.
    Id,
    /// By period as written, then id: chronological for periods of one kind; within a
    /// year, the year before its months, quarters and halves.
    Period,
}

/// The six domains of the national strategy (lĩnh vực), plus OTHER for annual-plan tasks.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Domain", remote = "crate::domain::plans::Domain")]
pub enum DomainEnum {
    Politics,
    EconomyLabour,
    FamilyGbv,
    Health,
    Education,
    InformationCommunication,
    Other,
}

/// How a reported value is compared with a target's value.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Comparator", remote = "crate::domain::plans::Comparator")]
pub enum ComparatorEnum {
    AtLeast,
    MoreThan,
    AtMost,
    LessThan,
    Equal,
    About,
    /// A yes/no target ("đưa nội dung … vào chương trình"): met when reported as achieved.
    Achieved,
}

/// LEAD = chủ trì / chịu trách nhiệm; SUPPORT = phối hợp.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "AssignmentRole", remote = "crate::domain::plans::AssignmentRole")]
pub enum AssignmentRoleEnum {
    Lead,
    Support,
}

/// What a target is measured on: the total, women, men, or each sex separately ("tỷ lệ trẻ
/// em trai và trẻ em gái … đạt trên 95%" is met only when girls and boys each exceed 95%).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "SexScope", remote = "crate::domain::plans::SexScope")]
pub enum SexScopeEnum {
    /// the value for both sexes together (sex TOTAL)
    Total,
    /// women's or girls' values (sex FEMALE)
    Female,
    /// men's or boys' values (sex MALE)
    Male,
    /// FEMALE and MALE each compared with the target: met only when both meet it
    EachSex,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "PeriodKind", remote = "crate::domain::plans::PeriodKind")]
pub enum PeriodKindEnum {
    Monthly,
    Quarterly,
    Semiannual,
    Annual,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ProgressStatus", remote = "crate::domain::progress::ProgressStatus")]
pub enum ProgressStatusEnum {
    Met,
    NotMet,
    NoData,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ReportingStatus", remote = "crate::domain::reporting::ReportingStatus")]
pub enum ReportingStatusEnum {
    /// Every value arrived by the deadline.
    OnTime,
    /// Every value arrived, some after the deadline.
    Late,
    /// The deadline has not passed and some values have not arrived yet.
    NotYetDue,
    /// The deadline passed and some values never arrived.
    Missing,
}

/// The five kinds of caller of DESIGN.md. In tokens they are written in lower case
/// (`statistics_office`); in GraphQL in upper case (`STATISTICS_OFFICE`).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Role", remote = "crate::auth::Role")]
pub enum RoleEnum {
    /// everything; issues and revokes tokens
    Admin,
    /// Chi cục Thống kê: pushes any indicator in its area subtree, approves values
    StatisticsOffice,
    /// a sector agency: pushes values for the targets it is assigned to
    AgencyReporter,
    /// reads everything in its area subtree
    Dashboard,
    /// reads approved, disclosure-safe values only
    Partner,
}
