"""The lead's KPI view shows the callback survey's parts and the team's stability, for
their own team, in a terminal of 80x24."""

from __future__ import annotations

from tests.test_lead_screen import SIZE, lead_app, open_team_view, pane_text, settle


async def test_the_kpi_view_shows_survey_parts_and_stability(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_team_view(pilot)
        await pilot.press("4")
        await settle(pilot)
        for _ in range(2):  # weekly, monthly, quarterly
            await pilot.press("w")
            await settle(pilot)
        kpis = pane_text(app, "#kpi-body")
        assert "Quarterly 2026-Q4" in kpis
        assert "Callback survey (" in kpis and "Response speed" in kpis and "Effort" in kpis
        assert "Callback survey per agent" in kpis and "Ingrid" in kpis
        assert "Team stability" in kpis and "Headcount at the end" in kpis and "Turnover rate" in kpis
        assert "Callback survey by tenure band" in kpis and "under 3" in kpis
        assert "Wang Lei" not in kpis, "the lead of the Maritime Desk sees their own team"
        assert max(len(line) for line in kpis.splitlines()) <= 80
