//! The dashboard's view as HTML, in Vietnamese (first) or English: the choices, each
//! objective's targets and how they stand, the gender-gap charts, reporting by agency and
//! the map. Every text from the database is escaped.

use std::fmt::Write;

use super::charts::{gap_chart, progress_bar, symbol_map};
use crate::domain::observations::Sex;
use crate::domain::plans::Comparator;
use crate::domain::progress::ProgressStatus;
use crate::domain::reporting::ReportingStatus;
use crate::service::dashboard::{Dashboard, TargetStanding, FIRST_YEAR, LAST_YEAR};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

/// A text in both languages.
struct T(&'static str, &'static str);

impl T {
    fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => self.0,
            Lang::En => self.1,
        }
    }
}

const AREA: T = T("Địa bàn", "Area");
const PLAN: T = T("Kế hoạch", "Plan");
const YEAR: T = T("Năm báo cáo", "Reporting year");
const LANGUAGE: T = T("Ngôn ngữ", "Language");
const NO_PLAN: T = T("Địa bàn này chưa có kế hoạch.", "This area has no plan.");
const TARGETS: T = T("Mục tiêu và chỉ tiêu", "Objectives and targets");
const TARGET: T = T("Chỉ tiêu", "Target");
const GOAL: T = T("Mức đề ra", "Set at");
const LATEST: T = T("Số liệu mới nhất", "Latest value");
const STANDING: T = T("Đánh giá", "Standing");
const PROGRESS: T = T("Tiến độ", "Progress");
const DERIVED: T = T("tổng hợp từ đơn vị cấu thành", "compiled from component units");
const WITHHELD: T = T("không công bố", "withheld");
const GAPS: T = T("Khoảng cách giới theo năm", "Gender gap over the years");
const NO_GAPS: T = T("Chưa có số liệu phân tách theo giới.", "No sex-disaggregated values yet.");
const REPORTING: T = T("Tình hình báo cáo của các cơ quan", "Reporting by agency");
const AGENCY: T = T("Cơ quan", "Agency");
const DUE: T = T("Hạn báo cáo", "Due");
const NO_DUTIES: T = T("Không có cơ quan nào phải báo cáo kỳ này.", "No agency reports for this period.");
const MAP: T = T("Bản đồ các đơn vị trực thuộc", "Map of the units under the area");
const NO_MAP: T = T("Chưa có toạ độ của các đơn vị trực thuộc.", "No unit under the area has a location.");

fn status_text(status: ProgressStatus, lang: Lang) -> &'static str {
    match status {
        ProgressStatus::Met => T("Đạt", "Met").get(lang),
        ProgressStatus::NotMet => T("Chưa đạt", "Not met").get(lang),
        ProgressStatus::NoData => T("Chưa có số liệu", "No data").get(lang),
    }
}

fn reporting_text(status: ReportingStatus, lang: Lang) -> &'static str {
    match status {
        ReportingStatus::OnTime => T("Đúng hạn", "On time").get(lang),
        ReportingStatus::Late => T("Muộn", "Late").get(lang),
        ReportingStatus::NotYetDue => T("Chưa đến hạn", "Not yet due").get(lang),
        ReportingStatus::Missing => T("Thiếu", "Missing").get(lang),
    }
}

pub fn sex_text(sex: Sex, lang: Lang) -> &'static str {
    match sex {
        Sex::Female => T("Nữ", "Women").get(lang),
        Sex::Male => T("Nam", "Men").get(lang),
        Sex::Total => T("Chung", "All").get(lang),
    }
}

fn comparator_sign(c: Comparator) -> &'static str {
    match c {
        Comparator::AtLeast => "≥",
        Comparator::MoreThan => ">",
        Comparator::AtMost => "≤",
        Comparator::LessThan => "<",
        Comparator::Equal => "=",
        Comparator::About => "≈",
        Comparator::Achieved => "✓",
    }
}

/// Text made safe for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A figure as people read it: at most two decimals, no trailing zeros.
pub fn figure(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A `<select>` that the page's script turns into a choice (`data-choose`).
fn select(out: &mut String, label: &str, choose: &str, options: &[(String, String)], selected: &str) {
    let _ = write!(out, "<label>{}<select data-choose=\"{choose}\">", esc(label));
    for (value, text) in options {
        let mark = if value == selected { " selected" } else { "" };
        let _ = write!(out, "<option value=\"{}\"{mark}>{}</option>", esc(value), esc(text));
    }
    out.push_str("</select></label>");
}

/// The whole view.
pub fn view(page: &Dashboard, lang: Lang) -> String {
    let mut out = String::new();
    let _ = write!(out, "<h2 id=\"area-name\">{}</h2>", esc(&page.area.name));
    out.push_str("<div class=\"choices\">");
    let mut areas = vec![(page.area.code.clone(), page.area.name.clone())];
    areas.extend(page.areas.iter().map(|a| (a.code.clone(), format!("{} ({})", a.name, a.code))));
    select(&mut out, AREA.get(lang), "area", &areas, &page.area.code);
    let plans: Vec<(String, String)> = page.plans.iter().map(|p| (p.code.clone(), p.title.clone())).collect();
    let chosen = page.plan.as_ref().map_or("", |p| p.code.as_str());
    if !plans.is_empty() {
        select(&mut out, PLAN.get(lang), "plan", &plans, chosen);
    }
    let years: Vec<(String, String)> = (FIRST_YEAR..=LAST_YEAR).map(|y| (y.to_string(), y.to_string())).collect();
    select(&mut out, YEAR.get(lang), "year", &years, &page.year.to_string());
    let langs = [("vi".to_owned(), "Tiếng Việt".to_owned()), ("en".to_owned(), "English".to_owned())];
    select(&mut out, LANGUAGE.get(lang), "lang", &langs, if lang == Lang::Vi { "vi" } else { "en" });
    out.push_str("</div>");

    let Some(plan) = &page.plan else {
        let _ = write!(out, "<p>{}</p>", NO_PLAN.get(lang));
        return out;
    };
    let _ = write!(
        out,
        "<p class=\"plan\"><strong>{}</strong> {}–{}</p>",
        esc(&plan.title),
        plan.start_year,
        plan.end_year
    );
    targets(&mut out, page, lang);
    gaps(&mut out, page, lang);
    reporting(&mut out, page, lang);
    map(&mut out, page, lang);
    out
}

fn targets(out: &mut String, page: &Dashboard, lang: Lang) {
    let _ = write!(out, "<section id=\"targets\"><h2>{}</h2>", TARGETS.get(lang));
    for (objective, standings) in &page.objectives {
        let _ = write!(out, "<h3>{}. {}</h3>", esc(&objective.code()), esc(&objective.title));
        let _ = write!(
            out,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            TARGET.get(lang),
            GOAL.get(lang),
            LATEST.get(lang),
            STANDING.get(lang),
            PROGRESS.get(lang)
        );
        for s in standings {
            target_row(out, s, lang);
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
}

fn target_row(out: &mut String, s: &TargetStanding, lang: Lang) {
    let t = &s.target;
    let goal = match (t.comparator, t.value) {
        (Some(c), Some(v)) => format!("{} {}", comparator_sign(c), figure(v)),
        (Some(c), None) => comparator_sign(c).to_owned(),
        _ => "—".to_owned(),
    };
    let year = t.target_year.map(|y| format!(" ({y})")).unwrap_or_default();
    let mut latest = String::new();
    for m in &s.measured {
        let label = if s.measured.len() > 1 { format!("{}: ", sex_text(m.sex, lang)) } else { String::new() };
        match &m.measured {
            Some(v) => {
                let derived =
                    if v.derived { format!(" <abbr title=\"{}\">*</abbr>", DERIVED.get(lang)) } else { String::new() };
                let _ = write!(latest, "<div>{label}{} ({}){derived}</div>", figure(v.value), esc(&v.period));
            }
            None if s.status != ProgressStatus::NoData => {
                let _ = write!(latest, "<div>{label}<em>{}</em></div>", WITHHELD.get(lang));
            }
            None => {}
        }
    }
    let bar = match (s.measured.first().and_then(|m| m.measured.as_ref()), t.value) {
        (Some(v), Some(goal)) if s.measured.len() == 1 => progress_bar(v.value, goal),
        _ => String::new(),
    };
    let _ = write!(
        out,
        "<tr data-target=\"{code}\"><td><strong>{code}</strong> {text}</td><td>{goal}{year}</td><td>{latest}</td>\
         <td class=\"status {status_code}\">{status}</td><td>{bar}</td></tr>",
        code = esc(&t.code),
        text = esc(&t.text),
        status_code = s.status.as_str(),
        status = status_text(s.status, lang),
    );
}

fn gaps(out: &mut String, page: &Dashboard, lang: Lang) {
    let _ = write!(out, "<section id=\"gaps\"><h2>{}</h2>", GAPS.get(lang));
    if page.gaps.is_empty() {
        let _ = write!(out, "<p>{}</p>", NO_GAPS.get(lang));
    }
    out.push_str("<div class=\"charts\">");
    for series in &page.gaps {
        let name = if lang == Lang::Vi { &series.indicator.name_vi } else { &series.indicator.name_en };
        let _ = write!(
            out,
            "<figure data-indicator=\"{}\">{}<figcaption>{}</figcaption></figure>",
            esc(&series.indicator.code),
            gap_chart(&series.points, sex_text(Sex::Female, lang), sex_text(Sex::Male, lang)),
            esc(name)
        );
    }
    out.push_str("</div></section>");
}

fn reporting(out: &mut String, page: &Dashboard, lang: Lang) {
    let Some(reports) = &page.reports else { return };
    let _ = write!(out, "<section id=\"reporting\"><h2>{} {}</h2>", REPORTING.get(lang), page.year);
    if reports.is_empty() {
        let _ = write!(out, "<p>{}</p></section>", NO_DUTIES.get(lang));
        return;
    }
    let _ = write!(
        out,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        AGENCY.get(lang),
        DUE.get(lang),
        STANDING.get(lang)
    );
    for (report, agency) in reports {
        let name = agency.as_ref().map_or(report.agency_code.as_str(), |a| a.name.as_str());
        let _ = write!(
            out,
            "<tr data-agency=\"{}\"><td>{}</td><td>{}</td><td class=\"status {}\">{}</td></tr>",
            esc(&report.agency_code),
            esc(name),
            report.due_on.format("%d/%m/%Y"),
            report.status.as_str(),
            reporting_text(report.status, lang)
        );
    }
    out.push_str("</tbody></table></section>");
}

fn map(out: &mut String, page: &Dashboard, lang: Lang) {
    let Some((indicator, year, units)) = &page.map else { return };
    let name = if lang == Lang::Vi { &indicator.name_vi } else { &indicator.name_en };
    let _ = write!(out, "<section id=\"map\"><h2>{}</h2><p>{} ({year})</p>", MAP.get(lang), esc(name));
    if units.is_empty() {
        let _ = write!(out, "<p>{}</p>", NO_MAP.get(lang));
    } else {
        out.push_str(&symbol_map(units));
    }
    out.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_database_cannot_break_out_of_the_page() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn figures_keep_two_decimals_at_most() {
        assert_eq!(
            (figure(112.0), figure(86.363636), figure(0.5), figure(-1.25)),
            ("112".into(), "86.36".into(), "0.5".into(), "-1.25".into())
        );
    }
}
