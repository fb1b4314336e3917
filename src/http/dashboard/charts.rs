//! The dashboard's charts as inline SVG, drawn on the server: a bar of a value against its
//! target, female and male lines over the years, and units as proportional symbols at their
//! centroids. Plain SVG text: no charting crate needed for three shapes, and nothing for
//! the browser to fetch.

use std::fmt::Write;

use super::render::{esc, figure};
use crate::service::dashboard::MapUnit;

/// A value's bar against a target's mark, on a scale a little past the larger of the two.
pub fn progress_bar(value: f64, target: f64) -> String {
    let (width, height) = (120.0, 14.0);
    let top = value.max(target).max(f64::EPSILON) * 1.1;
    let scale = |v: f64| (v.max(0.0) / top * width).min(width);
    format!(
        "<svg class=\"progress\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{} / {}\">\
         <rect class=\"bar-bg\" width=\"{width}\" height=\"{height}\"/>\
         <rect class=\"bar\" width=\"{:.1}\" height=\"{height}\"/>\
         <line class=\"bar-target\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"0\" y2=\"{height}\"/></svg>",
        figure(value),
        figure(target),
        scale(value),
        x = scale(target),
    )
}

/// Female and male values by year: two lines, a dot per known value, the years below.
pub fn gap_chart(points: &[(i32, Option<f64>, Option<f64>)], female: &str, male: &str) -> String {
    let (width, height, left, bottom, top) = (330.0, 190.0, 36.0, 22.0, 24.0);
    let values: Vec<f64> = points.iter().flat_map(|(_, f, m)| [*f, *m]).flatten().collect();
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let min = values.iter().copied().fold(f64::MAX, f64::min).min(0.0);
    let span = if max > min { max - min } else { 1.0 };
    let step = (width - left - 24.0) / (points.len().max(2) - 1) as f64;
    let x = |i: usize| left + step * i as f64;
    let y = |v: f64| top + (height - top - bottom) * (1.0 - (v - min) / span);
    let mut svg = format!(
        "<svg class=\"gap-chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\">\
         <line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{}\" stroke=\"#999\"/>\
         <text x=\"2\" y=\"{:.0}\">{}</text><text x=\"2\" y=\"{:.0}\">{}</text>",
        height - bottom,
        y(max) + 4.0,
        figure(max),
        y(min) + 4.0,
        figure(min),
    );
    for (i, (year, _, _)) in points.iter().enumerate() {
        let _ = write!(svg, "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{year}</text>", x(i), height - 6.0);
    }
    for (class, label, pick, legend_x) in [("female", female, 0usize, left), ("male", male, 1usize, left + 90.0)] {
        let known: Vec<(usize, f64)> = points
            .iter()
            .enumerate()
            .filter_map(|(i, (_, f, m))| if pick == 0 { f.map(|v| (i, v)) } else { m.map(|v| (i, v)) })
            .collect();
        let line: Vec<String> = known.iter().map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v))).collect();
        let _ = write!(svg, "<polyline class=\"line {class}\" points=\"{}\"/>", line.join(" "));
        for (i, v) in &known {
            let _ = write!(
                svg,
                "<circle class=\"{class}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{}: {}</title></circle>",
                x(*i),
                y(*v),
                esc(label),
                figure(*v)
            );
        }
        let _ = write!(
            svg,
            "<rect class=\"{class}\" x=\"{legend_x}\" y=\"6\" width=\"10\" height=\"10\"/>\
             <text x=\"{}\" y=\"15\">{}</text>",
            legend_x + 14.0,
            esc(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Units at their centroids (longitude and latitude, projected plainly: the country spans
/// few degrees), each a circle whose area is proportional to its value; a unit without a
/// value is an empty ring.
pub fn symbol_map(units: &[MapUnit]) -> String {
    let located: Vec<(&MapUnit, f64, f64)> =
        units.iter().filter_map(|u| u.area.location.as_ref().map(|p| (u, p.lon, p.lat))).collect();
    let (width, height, pad, largest) = (640.0, 520.0, 30.0, 22.0);
    let lon = |f: fn(f64, f64) -> f64, start: f64| located.iter().map(|(_, x, _)| *x).fold(start, f);
    let lat = |f: fn(f64, f64) -> f64, start: f64| located.iter().map(|(_, _, y)| *y).fold(start, f);
    let (west, east, south, north) =
        (lon(f64::min, f64::MAX), lon(f64::max, f64::MIN), lat(f64::min, f64::MAX), lat(f64::max, f64::MIN));
    // One scale for both axes (degrees of latitude and longitude near Vietnam are alike
    // enough), so that the map is not stretched.
    let scale = ((width - 2.0 * pad) / (east - west).max(1e-3)).min((height - 2.0 * pad) / (north - south).max(1e-3));
    let max = located.iter().filter_map(|(u, _, _)| u.value).fold(0.0, f64::max);
    let mut svg = format!("<svg class=\"symbol-map\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\">");
    for (unit, x, y) in &located {
        let cx = pad + (x - west) * scale;
        let cy = pad + (north - y) * scale;
        let name = esc(&unit.area.name);
        match unit.value {
            Some(v) if max > 0.0 => {
                let r = (v.max(0.0) / max).sqrt() * largest + 1.5;
                let _ = write!(
                    svg,
                    "<circle class=\"symbol\" data-area=\"{}\" cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{r:.1}\"><title>{name}: {}</title></circle>",
                    esc(&unit.area.code),
                    figure(v)
                );
            }
            _ => {
                let _ = write!(
                    svg,
                    "<circle class=\"symbol empty\" data-area=\"{}\" cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"3\"><title>{name}: —</title></circle>",
                    esc(&unit.area.code)
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}
