//! SVG charts drawn with plotters' SVG backend: text stays `<text>` for the viewer to lay out,
//! so no font files are read and the same data always gives the same bytes.

use crate::error::ReportError;
use crate::number as fmt;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const FONT: &str = "sans-serif";
const LINE: RGBColor = RGBColor(31, 119, 180);
const LOW: RGBColor = RGBColor(31, 119, 180);
const HIGH: RGBColor = RGBColor(255, 127, 14);
const GREY: RGBColor = RGBColor(120, 120, 120);

fn chart_err(chart: &str) -> impl Fn(String) -> ReportError + '_ {
    move |reason| ReportError::Chart {
        chart: chart.to_string(),
        reason,
    }
}

/// Renders into an SVG string with `draw`, mapping plotters' errors to [`ReportError::Chart`].
fn render<F>(name: &str, size: (u32, u32), draw: F) -> Result<String, ReportError>
where
    F: FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
{
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| e.to_string())
            .map_err(chart_err(name))?;
        draw(&root).map_err(chart_err(name))?;
        root.present()
            .map_err(|e| e.to_string())
            .map_err(chart_err(name))?;
    }
    svg.push('\n');
    Ok(svg)
}

fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi > lo {
        let pad = (hi - lo) * 0.05;
        (
            if lo >= 0.0 {
                (lo - pad).max(0.0)
            } else {
                lo - pad
            },
            hi + pad,
        )
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        (
            (lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::MIN }),
            hi + pad,
        )
    }
}

/// An axis range covering `lo..hi` with round ends, and its tick step (1, 2 or 5 × 10^k, about
/// five ticks).
fn nice_range(lo: f64, hi: f64) -> (f64, f64, f64) {
    let (lo, hi) = padded(lo, hi);
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let a = (lo / step).floor() * step;
    let b = (hi / step).ceil() * step;
    (a, b, step)
}

/// A series over days: the median line, and the p5–p95 band when there is more than one run.
pub struct Series<'a> {
    /// Chart title.
    pub title: &'a str,
    /// Y axis caption.
    pub y_desc: &'a str,
    /// Days.
    pub days: &'a [u32],
    /// Median (or the single run's value).
    pub p50: &'a [f64],
    /// (p5, p95), or `None` for a single run.
    pub band: Option<(&'a [f64], &'a [f64])>,
}

/// A line chart over days with an optional shaded band.
pub fn line_chart(name: &str, s: &Series<'_>) -> Result<String, ReportError> {
    let xs: Vec<f64> = s.days.iter().map(|d| f64::from(*d)).collect();
    let (x0, x1) = match (xs.first(), xs.last()) {
        (Some(a), Some(b)) if b > a => (*a, *b),
        (Some(a), _) => (*a - 1.0, *a + 1.0),
        _ => (0.0, 1.0),
    };
    let mut all: Vec<f64> = s.p50.to_vec();
    if let Some((lo, hi)) = s.band {
        all.extend_from_slice(lo);
        all.extend_from_slice(hi);
    }
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = padded(lo, hi);
    render(name, (800, 420), |root| {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let mut chart = ChartBuilder::on(root)
            .caption(s.title, (FONT, 20))
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(72)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_desc("day")
            .y_desc(s.y_desc)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| fmt::short(*v))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|x| e(&x))?;
        if let Some((lo, hi)) = s.band {
            let mut pts: Vec<(f64, f64)> = xs.iter().copied().zip(hi.iter().copied()).collect();
            pts.extend(xs.iter().copied().zip(lo.iter().copied()).rev());
            chart
                .draw_series(std::iter::once(Polygon::new(pts, LINE.mix(0.2).filled())))
                .map_err(|x| e(&x))?
                .label("p5–p95")
                .legend(|(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 18, y + 5)], LINE.mix(0.2).filled())
                });
        }
        let line = chart
            .draw_series(LineSeries::new(
                xs.iter().copied().zip(s.p50.iter().copied()),
                LINE.stroke_width(2),
            ))
            .map_err(|x| e(&x))?;
        if s.band.is_some() {
            line.label("median")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], LINE.stroke_width(2)));
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .border_style(GREY)
                .background_style(WHITE.mix(0.85))
                .label_font((FONT, 13))
                .draw()
                .map_err(|x| e(&x))?;
        }
        Ok(())
    })
}

/// The viridis colour map at `t` in [0, 1], and whether text on it should be white.
fn viridis(t: f64) -> (RGBColor, bool) {
    const STOPS: [(f64, [f64; 3]); 5] = [
        (0.0, [68.0, 1.0, 84.0]),
        (0.25, [59.0, 82.0, 139.0]),
        (0.5, [33.0, 145.0, 140.0]),
        (0.75, [94.0, 201.0, 98.0]),
        (1.0, [253.0, 231.0, 37.0]),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let i = STOPS.iter().rposition(|(s, _)| *s <= t).unwrap_or(0).min(3);
    let (s0, a) = STOPS[i];
    let (s1, b) = STOPS[i + 1];
    let f = (t - s0) / (s1 - s0);
    let c = |k: usize| (a[k] + (b[k] - a[k]) * f).round() as u8;
    (RGBColor(c(0), c(1), c(2)), t < 0.6)
}

fn text_style(size: u32, color: &'static RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font())
        .color(color)
        .pos(Pos::new(h, v))
}

/// A two-parameter heatmap: columns are `x` values, rows `y` values (first at the bottom),
/// `z[x][y]` the colour, printed in each cell.
pub struct Heatmap<'a> {
    /// Title.
    pub title: &'a str,
    /// X parameter name and values.
    pub x: (&'a str, &'a [String]),
    /// Y parameter name and values.
    pub y: (&'a str, &'a [String]),
    /// Values, `z[i][j]` for x value `i` and y value `j`.
    pub z: &'a [Vec<f64>],
}

/// Draws a heatmap.
pub fn heatmap(name: &str, h: &Heatmap<'_>) -> Result<String, ReportError> {
    let (nx, ny) = (h.x.1.len() as i32, h.y.1.len() as i32);
    let (cw, ch) = (96, 44);
    let (top, bottom, right) = (60, 70, 130);
    // Wide enough for the title (about 9 px a character at 18 px), the grid centred.
    let width = (150 + nx * cw + right).max(h.title.chars().count() as i32 * 9 + 40);
    let left = 150 + (width - (150 + nx * cw + right)) / 2;
    let size = (width as u32, (top + ny * ch + bottom) as u32);
    let flat: Vec<f64> = h.z.iter().flatten().copied().collect();
    let lo = flat.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = flat.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let t = |v: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
    render(name, size, |root| {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let draw_text = |s: &str, at: (i32, i32), style: &TextStyle<'_>| {
            root.draw(&Text::new(s.to_string(), at, style.clone()))
                .map_err(|x| e(&x))
        };
        draw_text(
            h.title,
            (size.0 as i32 / 2, 24),
            &text_style(18, &BLACK, HPos::Center, VPos::Center),
        )?;
        for i in 0..nx {
            for j in 0..ny {
                let v = h.z[i as usize][j as usize];
                let (fill, white) = viridis(t(v));
                let x0 = left + i * cw;
                let y0 = top + (ny - 1 - j) * ch;
                root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + cw, y0 + ch)],
                    fill.filled(),
                ))
                .map_err(|x| e(&x))?;
                root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + cw, y0 + ch)],
                    WHITE.stroke_width(1),
                ))
                .map_err(|x| e(&x))?;
                draw_text(
                    &fmt::short(v),
                    (x0 + cw / 2, y0 + ch / 2),
                    &text_style(
                        13,
                        if white { &WHITE } else { &BLACK },
                        HPos::Center,
                        VPos::Center,
                    ),
                )?;
            }
        }
        let axis = text_style(12, &BLACK, HPos::Center, VPos::Top);
        for (i, label) in h.x.1.iter().enumerate() {
            draw_text(
                label,
                (left + i as i32 * cw + cw / 2, top + ny * ch + 8),
                &axis,
            )?;
        }
        draw_text(
            h.x.0,
            (left + nx * cw / 2, top + ny * ch + 36),
            &text_style(14, &BLACK, HPos::Center, VPos::Top),
        )?;
        let yaxis = text_style(12, &BLACK, HPos::Right, VPos::Center);
        for (j, label) in h.y.1.iter().enumerate() {
            draw_text(
                label,
                (left - 8, top + (ny - 1 - j as i32) * ch + ch / 2),
                &yaxis,
            )?;
        }
        let ydesc = TextStyle::from((FONT, 14).into_font().transform(FontTransform::Rotate270))
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        draw_text(h.y.0, (20, top + ny * ch / 2), &ydesc)?;
        // Colour scale.
        let (bx, bh) = (left + nx * cw + 30, ny * ch);
        for k in 0..bh {
            let (c, _) = viridis(1.0 - f64::from(k) / f64::from(bh.max(1)));
            root.draw(&Rectangle::new(
                [(bx, top + k), (bx + 16, top + k + 1)],
                c.filled(),
            ))
            .map_err(|x| e(&x))?;
        }
        let scale = text_style(12, &BLACK, HPos::Left, VPos::Center);
        draw_text(&fmt::short(hi.max(lo)), (bx + 22, top + 6), &scale)?;
        draw_text(&fmt::short(lo.min(hi)), (bx + 22, top + bh - 6), &scale)?;
        Ok(())
    })
}

/// One tornado bar: label, value at the low arm, value at the high arm.
pub struct Bar<'a> {
    /// Row label.
    pub label: &'a str,
    /// Result with the parameter moved down.
    pub low: f64,
    /// Result with the parameter moved up.
    pub high: f64,
}

/// A tornado: bars around the base value, largest swing first (at the top).
pub fn tornado(
    name: &str,
    title: &str,
    x_desc: &str,
    base: f64,
    bars: &[Bar<'_>],
    spread: f64,
) -> Result<String, ReportError> {
    let rows = bars.len().max(1) as i32;
    let (left, top, plot_w, row_h, bottom) = (330, 70, 520, 34, 70);
    let size = (
        (left + plot_w + 40) as u32,
        (top + rows * row_h + bottom) as u32,
    );
    let lo = bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .fold(base, f64::min);
    let hi = bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .fold(base, f64::max);
    let (x0, x1, step) = nice_range(lo, hi);
    let px = |v: f64| left + ((v - x0) / (x1 - x0) * f64::from(plot_w)).round() as i32;
    render(name, size, |root| {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let draw_text = |s: &str, at: (i32, i32), style: &TextStyle<'_>| {
            root.draw(&Text::new(s.to_string(), at, style.clone()))
                .map_err(|x| e(&x))
        };
        draw_text(
            title,
            (size.0 as i32 / 2, 22),
            &text_style(18, &BLACK, HPos::Center, VPos::Center),
        )?;
        // Legend.
        let legend = text_style(12, &BLACK, HPos::Left, VPos::Center);
        for (k, (c, label)) in [
            (
                LOW,
                format!(
                    "× {} (down)",
                    flywheel_sim::sweep::fraction_text(1.0 - spread)
                ),
            ),
            (
                HIGH,
                format!(
                    "× {} (up)",
                    flywheel_sim::sweep::fraction_text(1.0 + spread)
                ),
            ),
        ]
        .iter()
        .enumerate()
        {
            let x = left + k as i32 * 160;
            root.draw(&Rectangle::new([(x, 42), (x + 14, 54)], c.filled()))
                .map_err(|x| e(&x))?;
            draw_text(label, (x + 20, 48), &legend)?;
        }
        let label = text_style(13, &BLACK, HPos::Right, VPos::Center);
        for (r, b) in bars.iter().enumerate() {
            let y = top + r as i32 * row_h;
            for (v, c) in [(b.low, LOW), (b.high, HIGH)] {
                let (a, z) = (px(base.min(v)), px(base.max(v)));
                if z > a {
                    root.draw(&Rectangle::new(
                        [(a, y + 6), (z, y + row_h - 6)],
                        c.filled(),
                    ))
                    .map_err(|x| e(&x))?;
                }
            }
            draw_text(b.label, (left - 10, y + row_h / 2), &label)?;
        }
        // Base line and axis.
        let bx = px(base);
        root.draw(&PathElement::new(
            vec![(bx, top - 4), (bx, top + rows * row_h + 4)],
            BLACK.stroke_width(1),
        ))
        .map_err(|x| e(&x))?;
        let axis_y = top + rows * row_h + 8;
        root.draw(&PathElement::new(
            vec![(left, axis_y), (left + plot_w, axis_y)],
            GREY.stroke_width(1),
        ))
        .map_err(|x| e(&x))?;
        let tick = text_style(11, &BLACK, HPos::Center, VPos::Top);
        let ticks = ((x1 - x0) / step).round() as i32;
        for k in 0..=ticks {
            let v = x0 + step * f64::from(k);
            let x = px(v);
            root.draw(&PathElement::new(
                vec![(x, axis_y), (x, axis_y + 4)],
                GREY.stroke_width(1),
            ))
            .map_err(|x| e(&x))?;
            draw_text(&fmt::short(v), (x, axis_y + 7), &tick)?;
        }
        draw_text(
            &format!("{x_desc} (base {})", fmt::short(base)),
            (left + plot_w / 2, axis_y + 30),
            &text_style(13, &BLACK, HPos::Center, VPos::Top),
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_lines_and_deterministic() {
        let days = [0, 1, 2];
        let (a, b, c) = ([1.0, 2.0, 3.0], [0.5, 1.5, 2.0], [2.0, 3.0, 4.0]);
        let s = Series {
            title: "t",
            y_desc: "y",
            days: &days,
            p50: &a,
            band: Some((&b, &c)),
        };
        let svg = line_chart("x.svg", &s).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("<polyline") || svg.contains("<path"));
        assert_eq!(svg, line_chart("x.svg", &s).unwrap());
        let single = line_chart("x.svg", &Series { band: None, ..s }).unwrap();
        assert!(!single.contains("<polygon"));
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0).0, RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0).0, RGBColor(253, 231, 37));
    }
}
