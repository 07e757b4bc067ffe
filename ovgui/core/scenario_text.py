"""A LoadGen test in words (`Report.scenario`): the CLI's LoadGen section and the window's block."""

from __future__ import annotations

from ovgui.core.report import ScenarioResult

HEADLINE_PERCENTILE = {"SingleStream": "90.00", "MultiStream": "99.00", "Server": "99.00", "Offline": "99.00"}
"""The latency percentile LoadGen judges each scenario by (MultiStream: per query)."""


def verdict_line(scenario: ScenarioResult) -> str:
    """E.g. "LoadGen Server: VALID at 120.0 QPS target (p99 8.1 ms ≤ 10 ms bound)"."""
    verdict = scenario.result or "no verdict"
    if scenario.stopped:
        verdict += ", stopped"
    head = f"LoadGen {scenario.scenario}: {verdict}"
    if scenario.scenario == "Server" and scenario.target_qps is not None:
        p99 = scenario.percentiles_ms.get("99.00")
        bound = scenario.p99_bound_ms or 0.0
        judged = "" if p99 is None else f"p99 {p99:.3g} ms {'≤' if p99 <= bound else '>'} "
        return f"{head} at {scenario.target_qps:.1f} QPS target ({judged}{bound:g} ms bound)"
    figures = [_headline_latency(scenario), *(f"{value:.1f} {name}" for name, value in headline_rates(scenario))]
    return f"{head} ({', '.join(figure for figure in figures if figure)})"


def _headline_latency(scenario: ScenarioResult) -> str:
    key = HEADLINE_PERCENTILE.get(scenario.scenario, "99.00")
    per_query = scenario.scenario == "MultiStream" and key in scenario.query_percentiles_ms
    value = scenario.query_percentiles_ms.get(key) if per_query else scenario.percentiles_ms.get(key)
    if value is None:
        return ""
    return f"p{float(key):g} {value:.3g} ms{' per query' if per_query else ''}"


def headline_rates(scenario: ScenarioResult) -> list[tuple[str, float]]:
    """LoadGen's rates as it names them, the one it reports first (with its overhead, completed samples) only."""
    for name in ("qps_with_loadgen_overhead", "completed_samples_per_sec", "samples_per_second"):
        if name in scenario.rates:
            return [(name.replace("_", " "), scenario.rates[name])]
    return []


def search_line(scenario: ScenarioResult) -> str:
    """E.g. "highest rate meeting p99 ≤ 10 ms: 131 QPS (search of 7 runs, to within 10%)"; "" without a search."""
    if not scenario.trials:
        return ""
    bound = f"p99 ≤ {scenario.p99_bound_ms or 0.0:g} ms"
    runs = f"search of {len(scenario.trials)} run{'s' if len(scenario.trials) != 1 else ''}"
    if scenario.search_resolution is not None:
        runs += f", to within {scenario.search_resolution:.0%}"
    if scenario.found_qps is None:
        return f"no rate tried met {bound} ({runs})"
    return f"highest rate meeting {bound}: {scenario.found_qps:.4g} QPS ({runs})"


def trials_line(scenario: ScenarioResult) -> str:
    return ", ".join(f"{trial.target_qps:.4g} QPS {trial.result}" for trial in scenario.trials)


def official_line(scenario: ScenarioResult) -> str:
    return f"not an official MLPerf result ({scenario.not_official_reason})"


def figures_line(scenario: ScenarioResult) -> str:
    """LoadGen's percentiles (issue to completion) and every rate it gives, by its names."""
    percentiles = " · ".join(f"p{float(key):g} {value:.3g}" for key, value in scenario.percentiles_ms.items())
    rates = " · ".join(f"{name.replace('_', ' ')} {value:.4g}" for name, value in scenario.rates.items())
    queries = f"{scenario.query_count} quer{'y' if scenario.query_count == 1 else 'ies'} in {scenario.duration_ms / 1000.0:.3g} s"
    return "; ".join(part for part in (f"latency (ms, issue to completion): {percentiles}", rates, queries) if part)


def scenario_lines(scenario: ScenarioResult) -> list[str]:
    """The verdict, the search, LoadGen's reasons and figures, and the "not official" label."""
    lines = [verdict_line(scenario)]
    if scenario.trials:
        lines += [search_line(scenario), f"tried: {trials_line(scenario)}"]
    if scenario.invalid_reasons:
        lines.append("LoadGen's reasons: " + "; ".join(scenario.invalid_reasons))
    if scenario.percentiles_ms:
        lines.append(figures_line(scenario))
    lines.append(official_line(scenario))
    return lines
