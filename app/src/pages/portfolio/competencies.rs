//! The competencies the learner's badges back: a bar chart (one bar per competency,
//! as long as the number of badges behind it) and the same facts as a table.

use leptos::prelude::*;

use crate::model::portfolio::{CompetencyRow, badge_path};

/// The competencies section (nothing when no badge is aligned to one).
#[component]
pub fn Competencies(rows: Vec<CompetencyRow>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        let max = rows.iter().map(|r| r.badges.len()).max().unwrap_or(1).max(1);
        let bar_h = 24.0_f64;
        let label_w = 220.0_f64;
        let chart_w = 260.0_f64;
        let height = bar_h * rows.len() as f64 + 8.0;
        let summary = rows
            .iter()
            .map(|r| format!("{}: {}", r.name, r.badges.len()))
            .collect::<Vec<_>>()
            .join("; ");
        view! {
            <section class="card" aria-labelledby="competencies-heading">
                <h2 id="competencies-heading">"My competencies"</h2>
                <svg
                    class="competency-chart"
                    role="img"
                    aria-labelledby="competency-chart-title competency-chart-desc"
                    viewBox=format!("0 0 {} {height}", label_w + chart_w + 40.0)
                    preserveAspectRatio="xMinYMin meet"
                >
                    <title id="competency-chart-title">"Badges behind each competency"</title>
                    <desc id="competency-chart-desc">{summary}</desc>
                    {rows.iter().enumerate().map(|(i, r)| {
                        let y = bar_h * i as f64 + 4.0;
                        let w = chart_w * r.badges.len() as f64 / max as f64;
                        view! {
                            <text x=(label_w - 8.0).to_string() y=(y + 15.0).to_string() text-anchor="end" class="chart-label">{r.name.clone()}</text>
                            <rect x=label_w.to_string() y=y.to_string() width=w.to_string() height=(bar_h - 6.0).to_string() rx="3" class="chart-bar" />
                            <text x=(label_w + w + 6.0).to_string() y=(y + 15.0).to_string() class="chart-value">{r.badges.len().to_string()}</text>
                        }
                    }).collect_view()}
                </svg>
                <table class="data-table" data-testid="competencies">
                    <caption class="visually-hidden">"Competencies and the badges that back them"</caption>
                    <thead><tr>
                        <th scope="col">"Competency"</th>
                        <th scope="col">"Badges"</th>
                        <th scope="col">"Backed by"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr data-testid="competency-row" data-competency=r.slug.clone()>
                                <th scope="row"><a href=r.url.clone()>{r.name.clone()}</a></th>
                                <td>{r.badges.len().to_string()}</td>
                                <td>
                                    {r.badges.into_iter().enumerate().map(|(i, (id, name))| view! {
                                        {(i > 0).then_some(", ")}
                                        <a href=badge_path(&id)>{name}</a>
                                    }).collect_view()}
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }
    })
}
