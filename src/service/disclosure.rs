//! Deciding which figures of sensitive indicators partners are shown (công bố), whenever
//! values are approved: the rule is `domain::disclosure`; its decisions are kept, so every
//! read path shows a partner the same figures and a figure once shown stays shown.

use std::collections::BTreeSet;

use crate::domain::disclosure::DisclosureRule;
use crate::domain::indicators::Indicator;
use crate::domain::observations::Observation;
use crate::domain::periods::Period;
use crate::store::{Settled, Store, StoreError};

/// Decides the years of the sensitive indicators among `approved` (values just approved).
pub async fn settle_approved(
    store: &dyn Store,
    rule: &DisclosureRule,
    approved: &[Observation],
) -> Result<Settled, StoreError> {
    let years: BTreeSet<(String, i32)> = approved
        .iter()
        .filter_map(|o| Some((o.key.indicator_code.clone(), o.key.period.parse::<Period>().ok()?.year)))
        .collect();
    let codes: Vec<String> = years.iter().map(|(code, _)| code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let sensitive: Vec<Indicator> =
        store.indicators_by_codes(&codes).await?.into_iter().filter(|i| i.sensitive).collect();
    let mut total = Settled::default();
    for (code, year) in &years {
        if let Some(indicator) = sensitive.iter().find(|i| &i.code == code) {
            add(&mut total, settle(store, rule, indicator, *year).await?);
        }
    }
    Ok(total)
}

/// Decides every sensitive indicator's year that has values approved since it was last
/// decided: at start-up, for a decision a review did not get to, or values loaded
/// straight into the database. How many years, and what was decided.
pub async fn settle_pending(store: &dyn Store, rule: &DisclosureRule) -> Result<(usize, Settled), StoreError> {
    let pending = store.unsettled_disclosures().await?;
    let codes: Vec<String> =
        pending.iter().map(|(code, _)| code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let indicators = store.indicators_by_codes(&codes).await?;
    let mut total = Settled::default();
    for (done, (code, year)) in pending.iter().enumerate() {
        let (Some(indicator), Ok(year)) = (indicators.iter().find(|i| &i.code == code), year.parse::<i32>()) else {
            continue;
        };
        // One year failing (a timeout, a lost connection) leaves it withheld until the next
        // approval or start; the others are still decided.
        match settle(store, rule, indicator, year).await {
            Ok(settled) => {
                tracing::info!(
                    indicator_code = code,
                    year,
                    done = done + 1,
                    of = pending.len(),
                    ?settled,
                    "disclosure decided"
                );
                add(&mut total, settled);
            }
            Err(error) => {
                tracing::error!(indicator_code = code, year, %error, "cannot decide this year's disclosure now")
            }
        }
    }
    Ok((pending.len(), total))
}

async fn settle(
    store: &dyn Store,
    rule: &DisclosureRule,
    indicator: &Indicator,
    year: i32,
) -> Result<Settled, StoreError> {
    let periods: Vec<String> = Period::of_year(year).iter().map(Period::to_string).collect();
    let decide = |cells: &[Observation], units: &[_], shown: &_| rule.release(indicator, cells, units, shown);
    let code = indicator.code.as_str();
    let settled = store.settle_disclosure(code, &year.to_string(), &periods, chrono::Utc::now(), &decide).await?;
    tracing::debug!(indicator_code = code, year, ?settled, "disclosure decided");
    Ok(settled)
}

fn add(total: &mut Settled, one: Settled) {
    total.values += one.values;
    total.released += one.released;
    total.newly_released += one.newly_released;
}
