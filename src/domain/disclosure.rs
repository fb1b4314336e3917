//! Statistical disclosure control for partners (kiểm soát công bố số liệu): a small count of
//! a sensitive indicator (violence, trafficking) could point at a person, so it is not
//! published, and neither is any other cell that would let it be worked out again, today or
//! from what a partner was shown before.
//!
//! The rule looks at every approved value of one sensitive indicator in one year at once,
//! and at the sums that hold among them: along sex (total = female + male), age group and
//! ethnicity (the total is the sum of the groups reported), the map (a unit's value is the
//! sum of its units' values) and the calendar (a year is the sum of its halves, quarters or
//! months). A hidden cell can be worked out when it is the only unknown member of a sum;
//! then one more member is hidden (the smallest part, the total only when no part is
//! left), until no sum's only unknown member is withheld. A member nobody has reported is unknown
//! too, but it can be worked out from the others (female = total − male) when it is the
//! only one missing: when what it works out to is small, it counts as hidden.
//!
//! Decisions hold over time: a figure once shown stays shown (a partner keeps what it
//! read), so the cells hidden in its place are chosen among those not yet shown. The rule
//! runs when values are approved (`service::disclosure`) and its decisions are kept
//! (`releases`); every read path shows a partner a sensitive figure only when it was
//! released. Rolled-up figures of a sensitive indicator are never shown to partners.
//!
//! The decision goes in rounds: each works out all a partner could from the figures not
//! withheld, then gives each sum that would give a withheld cell away one more hidden
//! member (the smallest part, else the total), in the order the sums are numbered (by unit,
//! period and breakdown, then along sex, age group, ethnicity, the map, the calendar); a sum
//! a hide of this round touched waits for the next. A sum with no member left to hide (each
//! shown before, worked out, or known however it is protected) gets a cell of the chain of
//! sums a member came from hidden, in a round that hid nothing else (a hide may have broken
//! the chain). It ends when a round finds nothing given away. A withheld cell nothing can
//! protect (it follows from figures shown before) is known all the same, and what follows
//! from it is looked at too. The same cells always give the same decision.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::areas::{Area, AreaId};
use super::indicators::{Indicator, Unit};
use super::observations::{Observation, Sex, NOT_BROKEN_DOWN};
use super::periods::{Period, PeriodPart};

/// Counts below this are suppressed unless set otherwise (`GDH_DISCLOSURE_THRESHOLD`).
pub const DEFAULT_THRESHOLD: f64 = 5.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DisclosureRule {
    pub threshold: f64,
}

impl Default for DisclosureRule {
    fn default() -> Self {
        DisclosureRule { threshold: DEFAULT_THRESHOLD }
    }
}

/// (sex, age group, ethnicity), `None` for the total along that dimension.
type Breakdown = [Option<String>; 3];

/// Where a cell sits: its unit, its period and its breakdown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Place {
    area: AreaId,
    period: String,
    coordinates: Breakdown,
}

impl Place {
    fn of(o: &Observation) -> Place {
        let sex = match o.key.sex {
            Sex::Female => Some("F".to_owned()),
            Sex::Male => Some("M".to_owned()),
            Sex::Total => None,
        };
        let dimension = |d: &str| (d != NOT_BROKEN_DOWN).then(|| d.to_owned());
        Place {
            area: o.key.area_id,
            period: o.key.period.clone(),
            coordinates: [sex, dimension(&o.key.age_group), dimension(&o.key.ethnicity)],
        }
    }
}

/// A cell's figures: reported, or worked out from a sum.
#[derive(Debug, Clone, Copy)]
struct Figures {
    value: f64,
    numerator: Option<f64>,
    denominator: Option<f64>,
}

impl Figures {
    fn of(o: &Observation) -> Figures {
        Figures { value: o.value, numerator: o.numerator, denominator: o.denominator }
    }
}

impl DisclosureRule {
    /// A count under the threshold, or a rate computed from one (the victims helped, or the
    /// victims there were).
    fn is_small(&self, indicator: &Indicator, f: Figures) -> bool {
        (indicator.unit == Unit::Count && f.value < self.threshold)
            || f.numerator.is_some_and(|n| n < self.threshold)
            || f.denominator.is_some_and(|d| d < self.threshold)
    }

    /// The ids of the approved values of one indicator in one year (`cells`) that partners
    /// may be shown, given those `shown` before (they stay shown). `units` are the units of
    /// the cells and the units under them. Every cell of an indicator that is not
    /// sensitive is shown; cells of other indicators are ignored.
    pub fn release(
        &self,
        indicator: &Indicator,
        cells: &[Observation],
        units: &[Area],
        shown: &HashSet<i64>,
    ) -> HashSet<i64> {
        self.decide(indicator, cells, units, shown).0
    }

    /// `release`, and how many rounds it took (for the benchmark).
    fn decide(
        &self,
        indicator: &Indicator,
        cells: &[Observation],
        units: &[Area],
        shown: &HashSet<i64>,
    ) -> (HashSet<i64>, usize) {
        // One cell per place: the last, as a map built from the cells in order keeps it.
        let mut table: HashMap<Place, &Observation> = HashMap::new();
        for o in cells.iter().filter(|o| o.key.indicator_code == indicator.code) {
            table.insert(Place::of(o), o);
        }
        if !indicator.sensitive {
            return (table.values().map(|o| o.id).collect(), 0);
        }
        let s = Structure::new(table, units);
        let places = s.keys.len();
        let reported: Vec<Option<Figures>> = s.cells.iter().map(|c| c.map(Figures::of)).collect();

        // What a partner knows already: the figures shown, and all they give away. Hiding
        // one of those would not help. (Which cells: not what they are, so the order
        // they are found in does not matter.)
        let was_shown: Vec<bool> = s.cells.iter().map(|c| c.is_some_and(|o| shown.contains(&o.id))).collect();
        let mut known_before = was_shown.clone();
        s.close(&mut known_before);
        let value = |p: Id| s.cells[p as usize].map_or(f64::NAN, |o| o.value);
        let smallest = |places: &mut dyn Iterator<Item = Id>| -> Option<Id> {
            places.min_by(|&a, &b| {
                value(a).total_cmp(&value(b)).then_with(|| s.keys[a as usize].cmp(&s.keys[b as usize]))
            })
        };

        // A figure shown before is out, even if it counts as small now (a higher threshold):
        // hiding it would only let the rule think a partner cannot subtract it.
        let mut hidden: Vec<bool> =
            (0..places).map(|p| !was_shown[p] && reported[p].is_some_and(|f| self.is_small(indicator, f))).collect();
        // Cells a partner can work out however they are protected (from figures shown
        // before): the sum that gives each away, `NO_SUM` for the others.
        let mut exposed: Vec<u32> = vec![NO_SUM; places];
        let mut rounds = 0;
        loop {
            rounds += 1;
            let knowledge = Knowledge::of(&s, &reported, &hidden, &exposed, |f| self.is_small(indicator, f));
            if knowledge.giving_away.is_empty() {
                break;
            }
            let may_hide = |p: Id, hidden: &[bool]| {
                reported[p as usize].is_some() && !known_before[p as usize] && !hidden[p as usize]
            };
            // Each sum that gives a withheld cell away gets one more member hidden (the
            // smallest part, else the total), in the sums' order. A sum with a member hidden
            // this round, or worked out from one, waits for the next round, which looks
            // again at what a partner can then work out: a partner who cannot learn that
            // member may no longer learn the cell.
            let mut stale = vec![false; places];
            let hide = |p: Id, hidden: &mut Vec<bool>, stale: &mut Vec<bool>| {
                hidden[p as usize] = true;
                knowledge.stale_after_hiding(&s, p, stale);
            };
            let waits = |i: u32, stale: &[bool]| s.sum(i as usize).iter().any(|&m| stale[m as usize]);
            let mut through_chains: Vec<(u32, Id)> = Vec::new();
            for &(i, only) in &knowledge.giving_away {
                if waits(i, &stale) {
                    continue;
                }
                let sum = s.sum(i as usize);
                let part = smallest(&mut sum[1..].iter().copied().filter(|&p| may_hide(p, &hidden)));
                match part.or_else(|| Some(sum[0]).filter(|&t| may_hide(t, &hidden))) {
                    Some(next) => hide(next, &mut hidden, &mut stale),
                    None => through_chains.push((i, only)),
                }
            }
            // Every member shown or worked out: a cell of a chain of sums a member was worked
            // out from is hidden instead, but only in a round that hid nothing else, since a
            // hide may break that chain already. None left: the cell is known all the same,
            // and what follows from it is looked at too.
            if stale.iter().any(|&c| c) {
                continue;
            }
            let mut unprotected: Vec<(u32, Id)> = Vec::new();
            let mut answered = vec![false; places];
            for (i, only) in through_chains {
                if waits(i, &stale) || answered[only as usize] {
                    continue;
                }
                answered[only as usize] = true;
                let chain = knowledge.chain(&s, s.sum(i as usize), |p| may_hide(p, &hidden));
                match smallest(&mut chain.into_iter()) {
                    Some(next) => hide(next, &mut hidden, &mut stale),
                    None => unprotected.push((i, only)),
                }
            }
            if !stale.iter().any(|&c| c) {
                for (i, only) in unprotected {
                    exposed[only as usize] = i;
                }
            }
        }
        let released = (0..places).filter(|&p| !hidden[p]).filter_map(|p| s.cells[p]);
        (released.map(|o| o.id).collect(), rounds)
    }
}

/// What a partner can work out, in one round of the decision, from every figure not
/// withheld: the only unknown member of a sum, over and over. A withheld cell (hidden, or
/// not reported and worked out small) is not learned, so nothing more follows from it;
/// the sums that would give one away are what the round must answer.
struct Knowledge {
    /// (sum, the withheld cell it gives away), in the sums' order.
    giving_away: Vec<(u32, Id)>,
    /// For each place worked out, the sum it was worked out from (`NO_SUM`: none).
    worked_out_by: Vec<u32>,
}

impl Knowledge {
    fn of(
        s: &Structure,
        reported: &[Option<Figures>],
        hidden: &[bool],
        exposed: &[u32],
        is_small: impl Fn(Figures) -> bool,
    ) -> Knowledge {
        let places = reported.len();
        let mut figures = reported.to_vec();
        let mut known: Vec<bool> = (0..places).map(|p| reported[p].is_some() && !hidden[p]).collect();
        let mut worked_out_by = vec![NO_SUM; places];
        let mut withheld = vec![false; places];
        let mut giving_away = Vec::new();
        let mut unknown: Vec<u32> =
            (0..s.sums()).map(|i| s.sum(i).iter().filter(|&&m| !known[m as usize]).count() as u32).collect();
        let mut ready: Vec<usize> = (0..s.sums()).rev().filter(|&i| unknown[i] == 1).collect();
        while let Some(i) = ready.pop() {
            let sum = s.sum(i);
            let Some(&only) = sum.iter().find(|&&m| !known[m as usize]) else { continue };
            if unknown[i] != 1 {
                continue;
            }
            let p = only as usize;
            if figures[p].is_none() {
                let worked_out = work_out(sum, only, &figures);
                figures[p] = Some(worked_out);
                worked_out_by[p] = i as u32;
                withheld[p] = is_small(worked_out);
            } else if hidden[p] {
                withheld[p] = true;
            }
            if withheld[p] && exposed[p] == NO_SUM {
                giving_away.push((i as u32, only));
                continue;
            }
            if worked_out_by[p] == NO_SUM {
                worked_out_by[p] = i as u32;
            }
            known[p] = true;
            for &j in s.sums_of(only) {
                unknown[j as usize] -= 1;
                if unknown[j as usize] == 1 {
                    ready.push(j as usize);
                }
            }
        }
        giving_away.sort_unstable();
        Knowledge { giving_away, worked_out_by }
    }

    /// Marks `stale` the place `hidden` and every place worked out from it, directly or
    /// through other worked-out places: what a partner knew of them this round may no
    /// longer hold.
    fn stale_after_hiding(&self, s: &Structure, hidden: Id, stale: &mut [bool]) {
        if std::mem::replace(&mut stale[hidden as usize], true) {
            return;
        }
        let mut from = vec![hidden];
        while let Some(p) = from.pop() {
            for &j in s.sums_of(p) {
                for &m in s.sum(j as usize) {
                    if self.worked_out_by[m as usize] == j && !stale[m as usize] {
                        stale[m as usize] = true;
                        from.push(m);
                    }
                }
            }
        }
    }

    /// The cells `may_hide` allows that the members of `sum` were worked out from,
    /// following each worked-out member back to the sum that gave it and so on: hiding one
    /// breaks a chain that ends in `sum`.
    fn chain(&self, s: &Structure, sum: &[Id], may_hide: impl Fn(Id) -> bool) -> Vec<Id> {
        let by = |m: &Id| Some(self.worked_out_by[*m as usize]).filter(|&k| k != NO_SUM);
        let mut from: Vec<u32> = sum.iter().filter_map(by).collect();
        let mut seen: HashSet<u32> = from.iter().copied().collect();
        let mut candidates = Vec::new();
        while let Some(j) = from.pop() {
            for m in s.sum(j as usize) {
                if may_hide(*m) {
                    candidates.push(*m);
                } else if let Some(k) = by(m) {
                    if seen.insert(k) {
                        from.push(k);
                    }
                }
            }
        }
        candidates
    }
}

/// A place's number in one decision's `Structure`.
type Id = u32;

/// No sum: in `worked_out_by`, of a place nothing was worked out for; in `exposed`, of a
/// place a partner cannot work out whatever is hidden.
const NO_SUM: u32 = u32::MAX;

/// The cells of one indicator's year and every sum among them and the cells they imply
/// (see `Structure::new`), each place numbered once, so that the decision reads and
/// writes its state by number instead of comparing periods and breakdowns as text.
struct Structure<'a> {
    /// Each place as (unit, period, breakdown), the period and breakdown by their rank in
    /// `periods` and `breakdowns`: these order places as `Place` orders them, which breaks
    /// ties between equal values.
    keys: Vec<(AreaId, u32, u32)>,
    #[cfg(test)]
    periods: Vec<String>,
    breakdowns: Vec<Breakdown>,
    /// The cell reported at each place, if any.
    cells: Vec<Option<&'a Observation>>,
    /// Sum `i` is `members[starts[i]..starts[i + 1]]`: its total, then its parts. Where
    /// every member is known in advance (both sexes, the units under a unit, the quarters
    /// of a year) the parts are all of them, reported or not; for age groups and
    /// ethnicities, those reported.
    starts: Vec<usize>,
    members: Vec<Id>,
    /// The sums place `p` is in, in order: `containing[within[p]..within[p + 1]]`.
    within: Vec<usize>,
    containing: Vec<u32>,
}

impl<'a> Structure<'a> {
    /// Every sum among the cells (one per place) and the cells they imply: the cells'
    /// units, those above and under them, their periods with the rest of each division of
    /// the year they use, and their breakdowns with both sexes and the total. A sum may
    /// hold cells nobody reported: a partner can work those out too, and go on from them.
    ///
    /// The sums are numbered by unit, period and breakdown, and for each of those: along
    /// sex, age group, ethnicity, the map, then the halves, quarters and months of a year.
    fn new(table: impl IntoIterator<Item = (Place, &'a Observation)>, units: &[Area]) -> Structure<'a> {
        let table: Vec<(Place, &Observation)> = table.into_iter().collect();
        let mut children: HashMap<AreaId, Vec<&Area>> = HashMap::new();
        let by_id: HashMap<AreaId, &Area> = units.iter().map(|u| (u.id, u)).collect();
        for unit in units {
            if let Some(parent) = unit.parent_id {
                children.entry(parent).or_default().push(unit);
            }
        }
        let mut areas: BTreeSet<AreaId> = BTreeSet::new();
        let mut periods: BTreeSet<Period> = BTreeSet::new();
        let mut breakdowns: BTreeSet<Breakdown> = BTreeSet::new();
        for (place, _) in &table {
            areas.insert(place.area);
            areas.extend(by_id.get(&place.area).and_then(|u| u.parent_id));
            areas.extend(children.get(&place.area).into_iter().flatten().map(|u| u.id));
            if let Ok(period) = place.period.parse::<Period>() {
                periods.insert(Period { year: period.year, part: PeriodPart::Year });
                periods.extend(division_of(period.part).into_iter().map(|part| Period { year: period.year, part }));
            }
            for sex in [None, Some("F"), Some("M")] {
                let mut breakdown = place.coordinates.clone();
                breakdown[0] = sex.map(str::to_owned);
                breakdowns.insert(breakdown);
            }
        }
        // Periods as written: those of the cells (perhaps not as `Period` writes them)
        // and those of the sums.
        let texts: BTreeSet<String> =
            table.iter().map(|(p, _)| p.period.clone()).chain(periods.iter().map(Period::to_string)).collect();
        let period_rank: HashMap<&str, u32> = texts.iter().zip(0..).map(|(t, r)| (t.as_str(), r)).collect();
        let rank_of = |p: &Period| period_rank[p.to_string().as_str()];
        let breakdown_rank: BTreeMap<&Breakdown, u32> = breakdowns.iter().zip(0..).collect();
        // For each breakdown: its female and male when it is a total along sex, and its
        // groups along age group and ethnicity (those seen, the rest of it fixed).
        let sexes: Vec<Option<[u32; 2]>> = breakdowns
            .iter()
            .map(|b| {
                b[0].is_none().then(|| {
                    ["F", "M"].map(|sex| {
                        let mut part = b.clone();
                        part[0] = Some(sex.to_owned());
                        breakdown_rank[&part]
                    })
                })
            })
            .collect();
        let mut groups: [BTreeMap<Breakdown, Vec<u32>>; 3] = Default::default();
        for (b, &rank) in &breakdown_rank {
            for (dimension, by_rest) in groups.iter_mut().enumerate().skip(1) {
                if b[dimension].is_some() {
                    let mut rest = (*b).clone();
                    rest[dimension] = None;
                    by_rest.entry(rest).or_default().push(rank);
                }
            }
        }
        let groups: Vec<[Option<&Vec<u32>>; 2]> =
            breakdowns.iter().map(|b| [groups[1].get(b), groups[2].get(b)]).collect();

        let mut s = Structure {
            keys: Vec::new(),
            #[cfg(test)]
            periods: texts.iter().cloned().collect(),
            breakdowns: breakdowns.iter().cloned().collect(),
            cells: Vec::new(),
            starts: vec![0],
            members: Vec::new(),
            within: Vec::new(),
            containing: Vec::new(),
        };
        let mut ids: HashMap<(AreaId, u32, u32), Id> = HashMap::new();
        for (place, cell) in &table {
            let key = (place.area, period_rank[place.period.as_str()], breakdown_rank[&place.coordinates]);
            let p = s.number(&mut ids, key);
            s.cells[p as usize] = Some(*cell);
        }
        for &area in &areas {
            for period in &periods {
                let p = rank_of(period);
                let (first, last) = period.days();
                // Along the map: the units under it that existed in the period.
                let under: Vec<AreaId> = children
                    .get(&area)
                    .into_iter()
                    .flatten()
                    .filter(|u| u.valid_during(first, last))
                    .map(|u| u.id)
                    .collect();
                // Along the calendar: the year and each division of it in use.
                let divisions: Vec<Vec<u32>> = if period.part == PeriodPart::Year {
                    [PeriodPart::Half(1), PeriodPart::Quarter(1), PeriodPart::Month(1)]
                        .into_iter()
                        .map(|division| {
                            division_of(division)
                                .into_iter()
                                .map(|part| Period { year: period.year, part })
                                .filter(|p| periods.contains(p))
                                .map(|p| rank_of(&p))
                                .collect::<Vec<u32>>()
                        })
                        .filter(|parts| !parts.is_empty())
                        .collect()
                } else {
                    Vec::new()
                };
                for b in 0..s.breakdowns.len() as u32 {
                    let total = (area, p, b);
                    if let Some(sexes) = sexes[b as usize] {
                        s.add(&mut ids, total, sexes.iter().map(|&sex| (area, p, sex)));
                    }
                    for members in groups[b as usize].into_iter().flatten() {
                        s.add(&mut ids, total, members.iter().map(|&group| (area, p, group)));
                    }
                    if !under.is_empty() {
                        s.add(&mut ids, total, under.iter().map(|&unit| (unit, p, b)));
                    }
                    for parts in &divisions {
                        s.add(&mut ids, total, parts.iter().map(|&part| (area, part, b)));
                    }
                }
            }
        }
        // Which sums each place is in, in the sums' order.
        let mut counts = vec![0usize; s.keys.len() + 1];
        for &m in &s.members {
            counts[m as usize + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        s.within = counts.clone();
        s.containing = vec![0; s.members.len()];
        for i in 0..s.starts.len() - 1 {
            for &m in &s.members[s.starts[i]..s.starts[i + 1]] {
                s.containing[counts[m as usize]] = i as u32;
                counts[m as usize] += 1;
            }
        }
        s
    }

    /// The number of the place at `key`, numbering it if it has none yet.
    fn number(&mut self, ids: &mut HashMap<(AreaId, u32, u32), Id>, key: (AreaId, u32, u32)) -> Id {
        *ids.entry(key).or_insert_with(|| {
            self.keys.push(key);
            self.cells.push(None);
            (self.keys.len() - 1) as Id
        })
    }

    /// One more sum: `total` = the `parts`.
    fn add(
        &mut self,
        ids: &mut HashMap<(AreaId, u32, u32), Id>,
        total: (AreaId, u32, u32),
        parts: impl Iterator<Item = (AreaId, u32, u32)>,
    ) {
        let total = self.number(ids, total);
        self.members.push(total);
        for part in parts {
            let part = self.number(ids, part);
            self.members.push(part);
        }
        self.starts.push(self.members.len());
    }
}

impl Structure<'_> {
    fn sums(&self) -> usize {
        self.starts.len() - 1
    }

    /// Sum `i`: its total, then its parts.
    fn sum(&self, i: usize) -> &[Id] {
        &self.members[self.starts[i]..self.starts[i + 1]]
    }

    /// The sums place `p` is in, in order.
    fn sums_of(&self, p: Id) -> &[u32] {
        &self.containing[self.within[p as usize]..self.within[p as usize + 1]]
    }

    /// Adds to `known` every place a partner knowing those can work out: the only member
    /// of a sum not known, over and over.
    fn close(&self, known: &mut [bool]) {
        let mut unknown: Vec<u32> =
            (0..self.sums()).map(|i| self.sum(i).iter().filter(|&&m| !known[m as usize]).count() as u32).collect();
        let mut ready: Vec<usize> = (0..self.sums()).filter(|&i| unknown[i] == 1).collect();
        while let Some(i) = ready.pop() {
            let Some(&only) = self.sum(i).iter().find(|&&m| !known[m as usize]) else { continue };
            known[only as usize] = true;
            for &j in self.sums_of(only) {
                unknown[j as usize] -= 1;
                if unknown[j as usize] == 1 {
                    ready.push(j as usize);
                }
            }
        }
    }

    #[cfg(test)]
    fn place(&self, p: Id) -> Place {
        let (area, period, breakdown) = self.keys[p as usize];
        Place {
            area,
            period: self.periods[period as usize].clone(),
            coordinates: self.breakdowns[breakdown as usize].clone(),
        }
    }
}

/// The figures of the one member of `sum` (its total, then its parts) not in `known`,
/// from the others.
fn work_out(sum: &[Id], member: Id, known: &[Option<Figures>]) -> Figures {
    let others: Vec<Figures> = sum[1..].iter().filter(|&&p| p != member).filter_map(|&p| known[p as usize]).collect();
    let total = known[sum[0] as usize];
    let figure = |f: fn(&Figures) -> Option<f64>| -> Option<f64> {
        let parts = others.iter().try_fold(0.0, |sum, o| Some(sum + f(o)?))?;
        if member == sum[0] {
            Some(parts)
        } else {
            Some(f(&total?)? - parts)
        }
    };
    Figures {
        value: figure(|f| Some(f.value)).unwrap_or(f64::NAN),
        numerator: figure(|f| f.numerator),
        denominator: figure(|f| f.denominator),
    }
}

/// The sums of `Structure::new` as places, for the tests' partner who works out what it can.
#[cfg(test)]
#[derive(Debug)]
struct Sum {
    total: Place,
    parts: Vec<Place>,
}

#[cfg(test)]
impl Sum {
    fn members(&self) -> impl Iterator<Item = &Place> {
        std::iter::once(&self.total).chain(&self.parts)
    }
}

#[cfg(test)]
fn sums(table: &BTreeMap<Place, &Observation>, units: &[Area]) -> Vec<Sum> {
    let s = Structure::new(table.iter().map(|(p, o)| (p.clone(), *o)), units);
    (0..s.sums())
        .map(|i| {
            let sum = s.sum(i);
            Sum { total: s.place(sum[0]), parts: sum[1..].iter().map(|&p| s.place(p)).collect() }
        })
        .collect()
}

/// Every part of the division of the year `period` belongs to (none for the year itself).
fn division_of(part: PeriodPart) -> Vec<PeriodPart> {
    match part {
        PeriodPart::Year => Vec::new(),
        PeriodPart::Half(_) => (1..=2).map(PeriodPart::Half).collect(),
        PeriodPart::Quarter(_) => (1..=4).map(PeriodPart::Quarter).collect(),
        PeriodPart::Month(_) => (1..=12).map(PeriodPart::Month).collect(),
    }
}

/// The values of one indicator, area and period as a caller may read them.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub cells: Vec<Observation>,
    /// Ids of the cells whose figures are withheld from this caller.
    pub suppressed: HashSet<i64>,
}

impl Table {
    /// The cell for a sex, not broken down by age group or ethnicity.
    pub fn by_sex(&self, sex: Sex) -> Option<&Observation> {
        self.cells
            .iter()
            .find(|o| o.key.sex == sex && o.key.age_group == NOT_BROKEN_DOWN && o.key.ethnicity == NOT_BROKEN_DOWN)
    }

    /// A cell's value, unless it is suppressed.
    pub fn published_value(&self, cell: &Observation) -> Option<f64> {
        (!self.suppressed.contains(&cell.id)).then_some(cell.value)
    }
}

/// A table's key: (indicator, area, period).
pub type TableId = (String, AreaId, String);

/// Sorts values of any number of tables into their tables. For partners (`released`
/// given: the ids among `cells` whose figures were released) every cell of a sensitive
/// indicator that was not released is withheld; internal roles see every figure.
pub fn tables(
    indicators: &[Indicator],
    cells: Vec<Observation>,
    released: Option<&HashSet<i64>>,
) -> BTreeMap<TableId, Table> {
    let sensitive: HashSet<&str> = indicators.iter().filter(|i| i.sensitive).map(|i| i.code.as_str()).collect();
    let mut tables: BTreeMap<TableId, Table> = BTreeMap::new();
    for o in cells {
        let key = (o.key.indicator_code.clone(), o.key.area_id, o.key.period.clone());
        let table = tables.entry(key).or_default();
        if released.is_some_and(|r| sensitive.contains(o.key.indicator_code.as_str()) && !r.contains(&o.id)) {
            table.suppressed.insert(o.id);
        }
        table.cells.push(o);
    }
    tables
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::areas::AreaLevel;
    use crate::domain::observations::{ObservationKey, ObservationStatus};

    fn indicator(unit: Unit, sensitive: bool) -> Indicator {
        Indicator {
            code: "GBV".into(),
            name_vi: "GBV".into(),
            name_en: "GBV".into(),
            unit,
            direction: None,
            sex_disaggregated: true,
            dimensions: vec![],
            sensitive,
            sdg_code: None,
            source: None,
        }
    }

    fn at(id: i64, area: AreaId, period: &str, sex: Sex, age: &str, value: f64) -> Observation {
        Observation {
            id,
            key: ObservationKey {
                indicator_code: "GBV".into(),
                area_id: area,
                area_code: area.to_string(),
                period: period.into(),
                sex,
                age_group: age.into(),
                ethnicity: NOT_BROKEN_DOWN.into(),
            },
            value,
            numerator: None,
            denominator: None,
            status: ObservationStatus::Approved,
            revision: 1,
            source_agency_code: None,
            reported_by: "t".into(),
            reported_at: Utc::now(),
            comment: None,
        }
    }

    fn cell(id: i64, sex: Sex, age: &str, value: f64) -> Observation {
        at(id, 216, "2024", sex, age, value)
    }

    fn unit(id: AreaId, parent: Option<AreaId>) -> Area {
        Area {
            id,
            code: id.to_string(),
            name: id.to_string(),
            level: if parent.is_some() { AreaLevel::Commune } else { AreaLevel::Province },
            parent_id: parent,
            valid_from: None,
            valid_to: None,
            location: None,
            area_km2: None,
            source: None,
        }
    }

    /// The ids withheld: every cell not released.
    fn hidden_with(cells: &[Observation], units: &[Area], shown: &[i64], rule: DisclosureRule) -> Vec<i64> {
        let shown: HashSet<i64> = shown.iter().copied().collect();
        let released = rule.release(&indicator(Unit::Count, true), cells, units, &shown);
        let mut v: Vec<i64> = cells.iter().map(|o| o.id).filter(|id| !released.contains(id)).collect();
        v.sort_unstable();
        v
    }

    fn hidden(cells: &[Observation]) -> Vec<i64> {
        hidden_with(cells, &[], &[], DisclosureRule::default())
    }

    const T: &str = NOT_BROKEN_DOWN;

    #[test]
    fn a_small_count_hides_the_other_sex_too_so_it_cannot_be_subtracted_out() {
        let cells = [cell(1, Sex::Female, T, 3.0), cell(2, Sex::Male, T, 40.0), cell(3, Sex::Total, T, 43.0)];
        assert_eq!(hidden(&cells), vec![1, 2]);
    }

    #[test]
    fn without_the_total_nothing_else_reveals_the_small_count() {
        let cells = [cell(1, Sex::Female, T, 3.0), cell(2, Sex::Male, T, 40.0)];
        assert_eq!(hidden(&cells), vec![1]);
    }

    #[test]
    fn large_counts_and_indicators_that_are_not_sensitive_are_published() {
        let cells = [cell(1, Sex::Female, T, 5.0), cell(2, Sex::Male, T, 40.0), cell(3, Sex::Total, T, 45.0)];
        assert!(hidden(&cells).is_empty());
        let small = [cell(1, Sex::Female, T, 1.0), cell(3, Sex::Total, T, 45.0)];
        let released = DisclosureRule::default().release(&indicator(Unit::Count, false), &small, &[], &HashSet::new());
        assert_eq!(released.len(), 2);
    }

    #[test]
    fn the_threshold_is_a_setting() {
        let cells = [cell(1, Sex::Female, T, 8.0), cell(2, Sex::Male, T, 40.0), cell(3, Sex::Total, T, 48.0)];
        assert_eq!(hidden_with(&cells, &[], &[], DisclosureRule { threshold: 10.0 }), vec![1, 2]);
    }

    #[test]
    fn a_rate_from_a_small_numerator_is_small() {
        let rate = |id, sex, numerator: f64, denominator: f64| {
            let mut rate = cell(id, sex, T, 100.0 * numerator / denominator);
            rate.numerator = Some(numerator);
            rate.denominator = Some(denominator);
            rate
        };
        // Female 2 of 10; male 7 of 20; all 9 of 30: the male numerator would give 2 back.
        let cells = [rate(1, Sex::Female, 2.0, 10.0), rate(2, Sex::Male, 7.0, 20.0), rate(3, Sex::Total, 9.0, 30.0)];
        let rule = DisclosureRule::default();
        let released = rule.release(&indicator(Unit::Percent, true), &cells, &[], &HashSet::new());
        assert_eq!(released, HashSet::from([3]));
    }

    #[test]
    fn suppression_spreads_across_age_groups_and_sexes_until_nothing_can_be_recomputed() {
        // Females by age: 15–19 = 2 (small), 20–24 = 30, total 32; males total 50; all 82.
        let cells = [
            cell(1, Sex::Female, "Y15T19", 2.0),
            cell(2, Sex::Female, "Y20T24", 30.0),
            cell(3, Sex::Female, T, 32.0),
            cell(4, Sex::Male, T, 50.0),
            cell(5, Sex::Total, T, 82.0),
        ];
        // 15–19 hidden; then 20–24 (else 2 = 32 − 30).
        assert_eq!(hidden(&cells), vec![1, 2]);

        // With a male 15–19 cell and a 15–19 total, the age-group sum over sexes needs it too.
        let cells = [
            cell(1, Sex::Female, "Y15T19", 2.0),
            cell(2, Sex::Female, "Y20T24", 30.0),
            cell(3, Sex::Female, T, 32.0),
            cell(6, Sex::Male, "Y15T19", 9.0),
            cell(7, Sex::Total, "Y15T19", 11.0),
        ];
        assert_eq!(hidden(&cells), vec![1, 2, 6]);
    }

    #[test]
    fn a_small_count_not_yet_reported_is_worked_out_from_the_total_so_it_is_protected_before_it_arrives() {
        // Day 1: total 43 and males 40 approved; females (3) not reported yet: 43 − 40 = 3.
        let day_one = [cell(2, Sex::Male, T, 40.0), cell(3, Sex::Total, T, 43.0)];
        assert_eq!(hidden(&day_one), vec![2]);
        // Day 2: females approved; the total stays shown, males stay hidden.
        let day_two = [cell(1, Sex::Female, T, 3.0), cell(2, Sex::Male, T, 40.0), cell(3, Sex::Total, T, 43.0)];
        assert_eq!(hidden_with(&day_two, &[], &[3], DisclosureRule::default()), vec![1, 2]);
    }

    #[test]
    fn a_figure_once_shown_stays_shown_and_another_is_hidden_in_its_place() {
        // Day 1: females 20–24 (10) and 25–29 (20) approved and shown; no female total yet.
        let day_one = [cell(2, Sex::Female, "Y20T24", 10.0), cell(3, Sex::Female, "Y25T29", 20.0)];
        assert!(hidden(&day_one).is_empty());
        // Day 2: 15–19 (2) and the female total (32). Left alone the rule would hide
        // 20–24, but it was shown: the total is hidden instead (2 = 32 − 10 − 20).
        let day_two = [
            cell(1, Sex::Female, "Y15T19", 2.0),
            cell(2, Sex::Female, "Y20T24", 10.0),
            cell(3, Sex::Female, "Y25T29", 20.0),
            cell(4, Sex::Female, T, 32.0),
        ];
        assert_eq!(hidden(&day_two), vec![1, 2]);
        assert_eq!(hidden_with(&day_two, &[], &[2, 3], DisclosureRule::default()), vec![1, 4]);
    }

    #[test]
    fn a_figure_shown_before_a_higher_threshold_still_counts_as_known() {
        // Shown when the threshold was 5: females 7. With the threshold at 10, males (3)
        // are hidden and so is the total: 7 is out, and 10 − 7 = 3.
        let cells = [cell(1, Sex::Female, T, 7.0), cell(2, Sex::Male, T, 3.0), cell(3, Sex::Total, T, 10.0)];
        let stricter = DisclosureRule { threshold: 10.0 };
        assert_eq!(hidden_with(&cells, &[], &[1], stricter), vec![2, 3]);
    }

    #[test]
    fn a_unit_less_its_visible_units_does_not_give_a_hidden_one_back() {
        let units = [unit(1, None), unit(11, Some(1)), unit(12, Some(1)), unit(13, Some(1))];
        // Province 50 = 3 + 20 + 27: the small commune, then the smallest other one.
        let cells = [
            at(1, 1, "2024", Sex::Total, T, 50.0),
            at(2, 11, "2024", Sex::Total, T, 3.0),
            at(3, 12, "2024", Sex::Total, T, 20.0),
            at(4, 13, "2024", Sex::Total, T, 27.0),
        ];
        assert_eq!(hidden_with(&cells, &units, &[], DisclosureRule::default()), vec![2, 3]);
        // The small commune not reported: 50 − 20 − 27 = 3 all the same.
        let cells = [cells[0].clone(), cells[2].clone(), cells[3].clone()];
        assert_eq!(hidden_with(&cells, &units, &[], DisclosureRule::default()), vec![3]);
        // Two communes missing: nothing can be worked out.
        let cells = [cells[0].clone(), cells[2].clone()];
        assert!(hidden_with(&cells, &units, &[], DisclosureRule::default()).is_empty());
    }

    #[test]
    fn a_year_less_its_visible_quarters_does_not_give_a_hidden_one_back() {
        let cells = [
            at(1, 216, "2024", Sex::Total, T, 40.0),
            at(2, 216, "2024-Q1", Sex::Total, T, 10.0),
            at(3, 216, "2024-Q2", Sex::Total, T, 12.0),
            at(4, 216, "2024-Q3", Sex::Total, T, 15.0),
        ];
        // Q4 not reported: 40 − 37 = 3, so one more quarter is hidden.
        assert_eq!(hidden(&cells), vec![2]);
    }

    /// What a partner can work out from every figure it was ever shown: each sum with one
    /// unknown member gives that member, over and over.
    fn worked_out(sums: &[Sum], known: &mut BTreeMap<Place, f64>) {
        loop {
            let mut learned = false;
            for sum in sums {
                let unknown: Vec<&Place> = sum.members().filter(|m| !known.contains_key(*m)).collect();
                if let [only] = unknown[..] {
                    let parts: f64 = sum.parts.iter().filter_map(|p| known.get(p)).sum();
                    let value = if *only == sum.total { parts } else { known[&sum.total] - parts };
                    known.insert(only.clone(), value);
                    learned = true;
                }
            }
            if !learned {
                break;
            }
        }
    }

    /// A small pseudo-random sequence, the same on every run.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % below
        }
    }

    #[test]
    fn no_small_count_can_be_worked_out_from_all_a_partner_was_shown_over_many_days() {
        let rule = DisclosureRule::default();
        let gbv = indicator(Unit::Count, true);
        let units = [unit(1, None), unit(11, Some(1)), unit(12, Some(1)), unit(13, Some(1))];
        let mut random = Lcg(7);
        for round in 0..300 {
            // A full, consistent table: units × periods × sexes, parts first.
            let mut full: Vec<Observation> = Vec::new();
            let mut id = 0;
            let mut push = |full: &mut Vec<Observation>, area, period: &str, sex, value| {
                id += 1;
                full.push(at(id, area, period, sex, T, value));
            };
            let halves = ["2024-S1", "2024-S2"];
            let mut by = BTreeMap::new();
            for area in [11, 12, 13] {
                for sex in [Sex::Female, Sex::Male] {
                    for q in halves {
                        let value = if random.next(3) == 0 { random.next(5) } else { 5 + random.next(40) } as f64;
                        by.insert((area, q, sex), value);
                    }
                }
            }
            let totals = |area: Option<AreaId>, q: Option<&str>, sex: Option<Sex>| -> f64 {
                by.iter()
                    .filter(|((a, p, s), _)| {
                        area.is_none_or(|x| x == *a) && q.is_none_or(|x| x == *p) && sex.is_none_or(|x| x == *s)
                    })
                    .map(|(_, v)| v)
                    .sum()
            };
            for area in [1, 11, 12, 13] {
                let a = (area != 1).then_some(area);
                for period in ["2024", "2024-S1", "2024-S2"] {
                    let q = (period != "2024").then_some(period);
                    for sex in [Sex::Female, Sex::Male, Sex::Total] {
                        let s = (sex != Sex::Total).then_some(sex);
                        push(&mut full, area, period, sex, totals(a, q, s));
                    }
                }
            }
            // Approved a few at a time in a random order; each day's release is kept.
            let mut order: Vec<usize> = (0..full.len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, random.next(i as u64 + 1) as usize);
            }
            let mut approved: Vec<Observation> = Vec::new();
            let mut shown: HashSet<i64> = HashSet::new();
            let mut known: BTreeMap<Place, f64> = BTreeMap::new();
            for day in order.chunks(1 + random.next(6) as usize) {
                approved.extend(day.iter().map(|&i| full[i].clone()));
                let released = rule.release(&gbv, &approved, &units, &shown);
                assert!(shown.is_subset(&released), "round {round}: a shown figure was taken back");
                for o in approved.iter().filter(|o| released.contains(&o.id)) {
                    known.insert(Place::of(o), o.value);
                }
                shown = released;
                // The partner knows the structure of the whole table.
                let table: BTreeMap<Place, &Observation> = full.iter().map(|o| (Place::of(o), o)).collect();
                worked_out(&sums(&table, &units), &mut known);
                for o in full.iter().filter(|o| rule.is_small(&gbv, Figures::of(o))) {
                    assert!(
                        !known.contains_key(&Place::of(o)),
                        "round {round}: {:?} {} {:?} = {} worked out",
                        o.key.area_id,
                        o.key.period,
                        o.key.sex,
                        o.value
                    );
                }
            }
        }
    }

    #[test]
    fn a_province_of_a_hundred_communes_with_many_small_counts_gives_none_away() {
        let rule = DisclosureRule::default();
        let gbv = indicator(Unit::Count, true);
        let mut units = vec![unit(1, None)];
        units.extend((100..200).map(|id| unit(id, Some(1))));
        let mut random = Lcg(11);
        let mut cells = Vec::new();
        let (mut female, mut male) = (0.0, 0.0);
        for area in 100..200 {
            let f = if random.next(3) == 0 { random.next(5) } else { 5 + random.next(30) } as f64;
            let m = if random.next(3) == 0 { random.next(5) } else { 5 + random.next(30) } as f64;
            let id = area * 10;
            cells.push(at(id, area, "2024", Sex::Female, T, f));
            cells.push(at(id + 1, area, "2024", Sex::Male, T, m));
            cells.push(at(id + 2, area, "2024", Sex::Total, T, f + m));
            (female, male) = (female + f, male + m);
        }
        cells.push(at(1, 1, "2024", Sex::Female, T, female));
        cells.push(at(2, 1, "2024", Sex::Male, T, male));
        cells.push(at(3, 1, "2024", Sex::Total, T, female + male));
        let started = std::time::Instant::now();
        let released = rule.release(&gbv, &cells, &units, &HashSet::new());
        eprintln!("decided {} cells in {:?}, {} shown", cells.len(), started.elapsed(), released.len());
        let table: BTreeMap<Place, &Observation> = cells.iter().map(|o| (Place::of(o), o)).collect();
        let mut known: BTreeMap<Place, f64> =
            cells.iter().filter(|o| released.contains(&o.id)).map(|o| (Place::of(o), o.value)).collect();
        worked_out(&sums(&table, &units), &mut known);
        for o in cells.iter().filter(|o| rule.is_small(&gbv, Figures::of(o))) {
            assert!(!known.contains_key(&Place::of(o)), "{} {:?} = {} worked out", o.key.area_id, o.key.sex, o.value);
        }
        assert!(released.len() > cells.len() / 3, "most large counts are shown: {}", released.len());
    }

    /// One sensitive indicator's year shaped like `bench/national.py`'s: a rate (numerator
    /// of a denominator of 1 to 30, so many small) for every unit kept × the year, its
    /// halves and quarters × F/M/T × all ages and two age groups, the values a review
    /// approved (85 %, as there). `old_map`: 63 provinces → 696 districts → 10,035 communes,
    /// values for provinces and communes only (2021-2024); else 34 provinces → 3,321 communes
    /// (2026). `keep`: one unit in `keep` has values (`--scale 0.1` is 10). `units` are what
    /// the store passes: the units of the cells and the units under them.
    #[cfg(disclosure_bench)]
    fn national_year(old_map: bool, keep: usize) -> (Vec<Observation>, Vec<Area>) {
        let (provinces, districts, communes) = if old_map { (63, 696, 10_035) } else { (34, 0, 3_321) };
        let mut map: Vec<Area> = Vec::new();
        let mut with_values: Vec<AreaId> = Vec::new();
        // The nation is not a unit of the cells nor under one, but the provinces' parent.
        let nation = 1;
        let mut next_id = 2;
        let mut add = |map: &mut Vec<Area>, parent: Option<AreaId>, level| {
            let mut u = unit(next_id, parent);
            u.level = level;
            map.push(u);
            next_id += 1;
            next_id - 1
        };
        // Units in the order of their ids: a province, then what lies under it.
        let (mut district_count, mut commune_count) = (0, 0);
        for p in 0..provinces {
            let province = add(&mut map, Some(nation), AreaLevel::Province);
            with_values.push(province);
            if old_map {
                let until = districts * (p + 1) / provinces;
                for d in district_count..until {
                    let district = add(&mut map, Some(province), AreaLevel::District);
                    for _ in commune_count..communes * (d + 1) / districts {
                        with_values.push(add(&mut map, Some(district), AreaLevel::Commune));
                    }
                    commune_count = communes * (d + 1) / districts;
                }
                district_count = until;
            } else {
                for _ in commune_count..communes * (p + 1) / provinces {
                    with_values.push(add(&mut map, Some(province), AreaLevel::Commune));
                }
                commune_count = communes * (p + 1) / provinces;
            }
        }
        let kept: HashSet<AreaId> = with_values.iter().copied().step_by(keep).collect();
        let units: Vec<Area> = map
            .into_iter()
            .filter(|u| kept.contains(&u.id) || u.parent_id.is_some_and(|p| kept.contains(&p)))
            .collect();
        let year = if old_map { 2024 } else { 2026 };
        let periods: Vec<String> =
            ["", "-S1", "-S2", "-Q1", "-Q2", "-Q3", "-Q4"].iter().map(|p| format!("{year}{p}")).collect();
        // FNV-1a: the hash of a key gives its value and review state, the same on every run.
        let hash = |key: &str| key.bytes().fold(0x811c9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x01000193));
        let mut cells = Vec::new();
        for &area in with_values.iter().filter(|a| kept.contains(a)) {
            for period in &periods {
                for sex in [Sex::Female, Sex::Male, Sex::Total] {
                    for age in [T, "Y15T19", "Y20T24"] {
                        let h = hash(&format!("{area}|{period}|{sex:?}|{age}"));
                        // Rejected, or submitted and never approved before: not approved.
                        if h % 20 == 0 || (h % 20 < 4 && h % 10 != 1) {
                            continue;
                        }
                        let denominator = 1 + h % 30;
                        let share = 0.3 + f64::from((h >> 8) % 700) / 1000.0;
                        let numerator = (f64::from(denominator) * share).round();
                        let mut o = at(
                            cells.len() as i64 + 1,
                            area,
                            period,
                            sex,
                            age,
                            100.0 * numerator / f64::from(denominator),
                        );
                        o.numerator = Some(numerator);
                        o.denominator = Some(f64::from(denominator));
                        cells.push(o);
                    }
                }
            }
        }
        (cells, units)
    }

    /// The benchmark of the decision on a national year (release build), built only when
    /// asked for, so that no test run (`--include-ignored` included) waits minutes on it:
    /// `RUSTFLAGS='--cfg disclosure_bench' cargo test --release --lib disclosure::tests::national_year -- --nocapture`;
    /// `GDH_BENCH_MAP=old` for the old map, `GDH_BENCH_KEEP=10` for `--scale 0.1`'s units.
    /// Prints the time, the rounds and a digest of what is released, to compare builds.
    #[cfg(disclosure_bench)]
    #[test]
    fn national_year_decides_in_reasonable_time() {
        let old_map = std::env::var("GDH_BENCH_MAP").is_ok_and(|m| m == "old");
        let keep = std::env::var("GDH_BENCH_KEEP").ok().and_then(|k| k.parse().ok()).unwrap_or(1);
        let (cells, units) = national_year(old_map, keep);
        let rule = DisclosureRule::default();
        let gbv = indicator(Unit::Percent, true);
        let small = cells.iter().filter(|o| rule.is_small(&gbv, Figures::of(o))).count();
        let started = std::time::Instant::now();
        let (released, rounds) = rule.decide(&gbv, &cells, &units, &HashSet::new());
        let elapsed = started.elapsed();
        let mut ids: Vec<i64> = released.iter().copied().collect();
        ids.sort_unstable();
        let digest = ids.iter().fold(0xcbf29ce484222325_u64, |h, id| (h ^ *id as u64).wrapping_mul(0x100000001b3));
        eprintln!(
            "{} map, one unit in {keep}: {} cells ({small} small), {} units: {:?}, {rounds} rounds, {} released, digest {digest:016x}",
            if old_map { "old" } else { "new" },
            cells.len(),
            units.len(),
            elapsed,
            released.len()
        );
    }
}
