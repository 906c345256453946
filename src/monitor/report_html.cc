// DriftReport as one self-contained HTML page: a summary, a table of
// features with their tests, reference-vs-current bar charts as inline SVG,
// and the data-quality checks. No scripts, no external assets: it can be
// mailed, archived or opened offline. Every name from the data is escaped.
#include <cmath>
#include <cstdio>
#include <string>

#include "vigil/drift_report.h"

namespace vigil {
namespace {

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string num(double v, const char* f = "%.4g") {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "∞" : "−∞";
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Grouped bars: reference (grey) and current (blue) share per bin.
std::string bar_chart(const FeatureDrift& f) {
  const double w = 560, h = 170, left = 40, bottom = 40, top = 10;
  std::size_t n = f.labels.size();
  if (n == 0) return "<p class=\"muted\">no distribution to plot</p>";
  double peak = 0;
  for (std::size_t i = 0; i < n; ++i) peak = std::max({peak, f.reference_share[i], f.current_share[i]});
  if (peak <= 0) peak = 1;
  double group = (w - left - 10) / static_cast<double>(n), bar = std::max(1.0, group * 0.4);
  std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + num(w) + " " + num(h) + "\" role=\"img\" aria-label=\"" +
                    esc(f.name) + " distribution\">";
  double plot_h = h - bottom - top;
  svg += "<line x1=\"" + num(left) + "\" y1=\"" + num(top + plot_h) + "\" x2=\"" + num(w - 10) + "\" y2=\"" +
         num(top + plot_h) + "\" class=\"axis\"/>";
  svg += "<text x=\"4\" y=\"" + num(top + 8) + "\" class=\"tick\">" + num(100 * peak, "%.0f") + "%</text>";
  for (std::size_t i = 0; i < n; ++i) {
    double x = left + group * static_cast<double>(i) + group * 0.1;
    for (int side = 0; side < 2; ++side) {
      double share = side == 0 ? f.reference_share[i] : f.current_share[i];
      double bh = plot_h * share / peak;
      svg += "<rect class=\"" + std::string(side == 0 ? "ref" : "cur") + "\" x=\"" + num(x + side * bar, "%.2f") +
             "\" y=\"" + num(top + plot_h - bh, "%.2f") + "\" width=\"" + num(bar, "%.2f") + "\" height=\"" +
             num(bh, "%.2f") + "\"><title>" + esc(f.labels[i]) + " — " + (side == 0 ? "reference " : "current ") +
             num(100 * share, "%.2f") + "%</title></rect>";
    }
    if (n <= 16) {
      std::string label = f.labels[i].size() > 14 ? f.labels[i].substr(0, 13) + "…" : f.labels[i];
      svg += "<text class=\"tick\" x=\"" + num(x + bar, "%.2f") + "\" y=\"" + num(h - bottom + 14) +
             "\" text-anchor=\"end\" transform=\"rotate(-30 " + num(x + bar, "%.2f") + " " + num(h - bottom + 14) +
             ")\">" + esc(label) + "</text>";
    }
  }
  svg += "</svg>";
  return svg;
}

std::string stats_table(const FeatureDrift& f) {
  std::string out = "<table class=\"stats\"><tr><th></th><th>reference</th><th>current</th></tr>";
  for (const auto& [k, v] : f.reference_stats) {
    auto it = f.current_stats.find(k);
    out += "<tr><td>" + esc(k) + "</td><td>" + num(v) + "</td><td>" +
           (it == f.current_stats.end() ? std::string("–") : num(it->second)) + "</td></tr>";
  }
  out += "</table>";
  if (f.kind == FeatureKind::kNumeric)
    out += f.exact_quantiles ? "<p class=\"muted\">p50 exact (linear interpolation, as numpy.quantile)</p>"
                             : "<p class=\"muted\">p50 from a quantile sketch, rounded to its ±1 % accuracy</p>";
  return out;
}

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2330;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #dde;padding-bottom:.3rem}
.muted{color:#667}.banner{padding:.8rem 1rem;border-radius:6px;margin:1rem 0;font-weight:600}
.bad{background:#fde8e8;color:#9b1c1c}.good{background:#e6f6ea;color:#1d6b34}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #eef}
td.num{text-align:right;font-variant-numeric:tabular-nums}.pill{padding:.1rem .5rem;border-radius:999px;font-size:.85em}
.pill.bad{background:#fde8e8}.pill.good{background:#e6f6ea}
.feature{border:1px solid #e3e6ef;border-radius:8px;padding:1rem;margin:1rem 0;display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1rem}
.feature h3{margin:0 0 .4rem}.chart{width:100%;height:auto}.axis{stroke:#99a}.tick{font-size:10px;fill:#556}
rect.ref{fill:#a5adbd}rect.cur{fill:#2f6fdb}.legend span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 .8em;vertical-align:middle}
table.stats td,table.stats th{padding:.2rem .4rem;font-size:.9em}
)";

}  // namespace

std::string DriftReport::to_html() const {
  std::string h = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>vigil drift report</title><style>";
  h += kStyle;
  h += "</style></head><body><h1>Data drift report</h1><p class=\"muted\">reference <b>" + esc(reference_name) +
       "</b> (" + std::to_string(reference_rows) + " rows) · current <b>" + esc(current_name) + "</b> (" +
       std::to_string(current_rows) + " rows) · " +
       (mode == "sketch" ? "sketch mode: one pass into profiles; estimated scores show the range exact mode would give"
                         : std::string("exact mode")) + "</p>";
  h += "<div class=\"banner " + std::string(dataset_drift ? "bad" : "good") + "\">" +
       (dataset_drift ? "Dataset drift detected: " : "No dataset drift: ") + std::to_string(features_drifted) + " of " +
       std::to_string(features_checked) + " features drifted (" + num(100 * drift_share, "%.0f") + "%, threshold " +
       num(100 * dataset_drift_threshold, "%.0f") + "%)</div>";

  h += "<h2>Features</h2><table><tr><th>feature</th><th>type</th><th>test</th><th>score</th><th>threshold</th><th>drift</th></tr>";
  for (const auto& f : features) {
    bool p = drift_method_uses_p_value(f.drift.method);
    h += "<tr><td><a href=\"#f-" + esc(f.name) + "\">" + esc(f.name) + "</a>" +
         (f.role != "feature" ? " <span class=\"muted\">(" + f.role + ")</span>" : "") + "</td><td>" +
         (f.kind == FeatureKind::kNumeric ? "numeric" : "categorical") + "</td><td>" +
         esc(drift_method_name(f.drift.method)) + (p ? " p-value" : "") + "</td><td class=\"num\">" + num(f.drift.score) +
         (f.drift.estimated ? " <span class=\"muted\">[" + num(f.drift.score_low) + ", " + num(f.drift.score_high) + "]</span>" : "") +
         "</td><td class=\"num\">" + num(f.drift.threshold) + "</td><td><span class=\"pill " +
         (f.drift.drifted ? "bad\">drifted" : "good\">stable") + "</span></td></tr>";
  }
  h += "</table>";

  std::size_t failed = 0;
  for (const auto& q : quality) failed += q.failed;
  h += "<h2>Data quality</h2><p>" + std::to_string(failed) + " of " + std::to_string(quality.size()) +
       " checks failed.</p><table><tr><th>check</th><th>feature</th><th>count</th><th>share</th><th>result</th><th>detail</th></tr>";
  for (const auto& q : quality) {
    if (!q.failed && q.count == 0) continue;  // keep the table to what matters
    h += "<tr><td>" + esc(q.check) + "</td><td>" + esc(q.feature) + "</td><td class=\"num\">" + std::to_string(q.count) +
         "</td><td class=\"num\">" + num(100 * q.share, "%.2f") + "%</td><td><span class=\"pill " +
         (q.failed ? "bad\">failed" : "good\">ok") + "</span></td><td>" + esc(q.detail) + "</td></tr>";
  }
  h += "</table>";

  h += "<h2>Distributions</h2><p class=\"legend muted\"><span style=\"background:#a5adbd\"></span>reference"
       "<span style=\"background:#2f6fdb\"></span>current</p>";
  for (const auto& f : features) {
    h += "<section class=\"feature\" id=\"f-" + esc(f.name) + "\"><div><h3>" + esc(f.name) + " <span class=\"pill " +
         (f.drift.drifted ? "bad\">drifted" : "good\">stable") + "</span></h3><p class=\"muted\">" +
         esc(drift_method_name(f.drift.method)) + ": score " + num(f.drift.score) + " (threshold " +
         num(f.drift.threshold) + "), statistic " + num(f.drift.statistic) + "</p>" + bar_chart(f) + "</div><div>" +
         stats_table(f) + "</div></section>";
  }
  h += "<p class=\"muted\">Generated by vigil drift.</p></body></html>\n";
  return h;
}

}  // namespace vigil
