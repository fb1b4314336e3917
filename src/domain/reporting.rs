//! Reporting status (tình hình thực hiện chế độ báo cáo): for a plan and a period, whether
//! each agency the plan assigns to a measured target sent its values by the plan's
//! deadline.
//!
//! The deadline of a period is the plan's deadline of that period's kind, dated in the
//! period's year: Tân Yên's six-month report is due 10 June, its annual report 1 December.
//! Plans date their six-month report inside the first half (Bắc Yên: 18 May), so the
//! second half, which such a date cannot cover, is due with the annual report. A value
//! arrived when its first revision that was not rejected was pushed; dates are compared in
//! Vietnam's time (UTC+7), the deadline's whole day included.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::named_enum;
use super::periods::{Period, PeriodPart};
use super::plans::{AssignmentRole, PeriodKind, ReportingDeadline};
use super::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReportingStatus {
    /// Every value arrived by the deadline.
    OnTime,
    /// Every value arrived, some after the deadline.
    Late,
    /// The deadline has not passed and some values have not arrived yet.
    NotYetDue,
    /// The deadline passed and some values never arrived.
    Missing,
}
named_enum!(ReportingStatus { OnTime = "ON_TIME", Late = "LATE", NotYetDue = "NOT_YET_DUE", Missing = "MISSING" });

/// An agency's duty to report an indicator for a plan, from its assignments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duty {
    pub plan_id: i64,
    pub agency_code: String,
    pub role: AssignmentRole,
    pub indicator_code: String,
}

/// When the first value of an indicator for an area and period arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub indicator_code: String,
    pub area_id: super::areas::AreaId,
    pub period: String,
    pub first_reported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorReport {
    pub indicator_code: String,
    /// LEAD when the agency leads any target the indicator measures.
    pub role: AssignmentRole,
    pub status: ReportingStatus,
    pub first_reported_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgencyReport {
    pub agency_code: String,
    pub due_on: NaiveDate,
    /// The worst of its indicators' statuses.
    pub status: ReportingStatus,
    pub indicators: Vec<IndicatorReport>,
}

/// The day reports for `period` are due under the plan's deadlines.
pub fn due_on(deadlines: &[ReportingDeadline], period: &Period) -> Result<NaiveDate, DomainError> {
    let (first_day, _) = period.days();
    let dated = |kind: PeriodKind| -> Option<NaiveDate> {
        let d = deadlines.iter().find(|d| d.period_kind == kind)?;
        NaiveDate::from_ymd_opt(period.year, u32::try_from(d.due_month).ok()?, u32::try_from(d.due_day).ok()?)
    };
    let due = match (period.part, dated(period.kind())) {
        (_, Some(date)) if date >= first_day => Some(date),
        (PeriodPart::Half(2), _) => dated(PeriodKind::Annual).filter(|d| *d >= first_day),
        _ => None,
    };
    due.ok_or_else(|| {
        let kinds: Vec<String> =
            deadlines.iter().map(|d| format!("{} {}/{}", d.period_kind, d.due_day, d.due_month)).collect();
        let has = if kinds.is_empty() { "none".to_owned() } else { kinds.join(", ") };
        DomainError::bad_input(
            "period",
            format!("the plan sets no deadline for the reports of {period} (it has: {has})"),
        )
    })
}

/// Vietnam's offset: deadlines are days of the local calendar.
fn local_day(t: DateTime<Utc>) -> NaiveDate {
    (t.naive_utc() + TimeDelta::hours(7)).date()
}

/// Each agency's status. `arrivals` holds, per indicator, when its first value for the
/// plan's area and the period arrived.
pub fn agency_reports(
    duties: &[Duty],
    arrivals: &HashMap<String, DateTime<Utc>>,
    due_on: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<AgencyReport> {
    let mut by_agency: BTreeMap<&str, BTreeMap<&str, AssignmentRole>> = BTreeMap::new();
    for d in duties {
        let role = by_agency.entry(&d.agency_code).or_default().entry(&d.indicator_code).or_insert(d.role);
        if d.role == AssignmentRole::Lead {
            *role = AssignmentRole::Lead;
        }
    }
    let overdue = local_day(now) > due_on;
    by_agency
        .into_iter()
        .map(|(agency, indicators)| {
            let indicators: Vec<IndicatorReport> = indicators
                .into_iter()
                .map(|(code, role)| {
                    let first = arrivals.get(code).copied();
                    let status = match first {
                        Some(t) if local_day(t) <= due_on => ReportingStatus::OnTime,
                        Some(_) => ReportingStatus::Late,
                        None if overdue => ReportingStatus::Missing,
                        None => ReportingStatus::NotYetDue,
                    };
                    IndicatorReport { indicator_code: code.to_owned(), role, status, first_reported_at: first }
                })
                .collect();
            let status = indicators.iter().map(|i| i.status).max().unwrap_or(ReportingStatus::OnTime);
            AgencyReport { agency_code: agency.to_owned(), due_on, status, indicators }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn deadline(kind: PeriodKind, day: i32, month: i32) -> ReportingDeadline {
        ReportingDeadline { id: 1, plan_id: 1, period_kind: kind, due_day: day, due_month: month }
    }

    fn period(p: &str) -> Period {
        p.parse().expect("period")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn a_period_is_due_on_its_kinds_deadline_and_the_second_half_with_the_year() {
        // Bắc Yên: six-month report 18/5, annual report 20/11.
        let bac_yen = [deadline(PeriodKind::Semiannual, 18, 5), deadline(PeriodKind::Annual, 20, 11)];
        assert_eq!(due_on(&bac_yen, &period("2024-S1")).ok(), Some(day(2024, 5, 18)));
        assert_eq!(due_on(&bac_yen, &period("2024-S2")).ok(), Some(day(2024, 11, 20)));
        assert_eq!(due_on(&bac_yen, &period("2024")).ok(), Some(day(2024, 11, 20)));
        // Hương Trà reports once a year only.
        let huong_tra = [deadline(PeriodKind::Annual, 30, 11)];
        assert_eq!(due_on(&huong_tra, &period("2024")).ok(), Some(day(2024, 11, 30)));
        let err = due_on(&huong_tra, &period("2024-Q3")).expect_err("no quarterly deadline");
        assert!(err.to_string().contains("ANNUAL 30/11"), "{err}");
        assert!(due_on(&[], &period("2024")).is_err());
    }

    #[test]
    fn agencies_are_on_time_late_missing_or_not_yet_due() {
        let duty = |agency: &str, role, indicator: &str| Duty {
            plan_id: 1,
            agency_code: agency.into(),
            role,
            indicator_code: indicator.into(),
        };
        let duties = [
            duty("POLICE", AssignmentRole::Lead, "GBV"),
            duty("HEALTH", AssignmentRole::Lead, "SRB"),
            duty("HEALTH", AssignmentRole::Support, "GBV"),
            duty("EDU", AssignmentRole::Lead, "COMPLETION"),
        ];
        let due = day(2024, 12, 1);
        // 1 Dec 23:30 in Hà Nội is 16:30 UTC: still on time.
        let arrivals: HashMap<String, DateTime<Utc>> = [
            ("GBV".to_owned(), Utc.with_ymd_and_hms(2024, 12, 1, 16, 30, 0).single().expect("t")),
            ("SRB".to_owned(), Utc.with_ymd_and_hms(2024, 12, 1, 17, 30, 0).single().expect("t")),
        ]
        .into_iter()
        .collect();
        let after = Utc.with_ymd_and_hms(2025, 1, 5, 0, 0, 0).single().expect("t");
        let reports = agency_reports(&duties, &arrivals, due, after);
        let statuses: Vec<(&str, ReportingStatus)> =
            reports.iter().map(|r| (r.agency_code.as_str(), r.status)).collect();
        assert_eq!(
            statuses,
            vec![
                ("EDU", ReportingStatus::Missing),
                ("HEALTH", ReportingStatus::Late), // SRB arrived on 2 Dec, local time
                ("POLICE", ReportingStatus::OnTime),
            ]
        );
        let health = &reports[1].indicators;
        assert_eq!(
            health.iter().map(|i| (i.indicator_code.as_str(), i.role)).collect::<Vec<_>>(),
            vec![("GBV", AssignmentRole::Support), ("SRB", AssignmentRole::Lead)]
        );
        let before = Utc.with_ymd_and_hms(2024, 11, 20, 0, 0, 0).single().expect("t");
        assert_eq!(agency_reports(&duties, &arrivals, due, before)[0].status, ReportingStatus::NotYetDue);
    }
}
