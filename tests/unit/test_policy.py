"""The configurable rules: workflow, case types, value parsers (CASE-2, CASE-4, CASE-7, SEC-3)."""

import pytest

from helpdesk_tui.domain.enums import Priority, Role, Status
from helpdesk_tui.domain.errors import PermissionDeniedError, TransitionError, ValidationError
from helpdesk_tui.domain.policy import (
    CaseType,
    Policy,
    Transition,
    Workflow,
    default_workflow,
    parse_priority,
    parse_roles,
    parse_status,
)

OPEN, WORKING, WAITING, CLOSED = Status.OPEN, Status.IN_PROGRESS, Status.WAITING, Status.CLOSED


class TestDefaultWorkflow:
    @pytest.mark.parametrize(
        ("source", "target"),
        [
            (OPEN, WORKING),
            (OPEN, WAITING),
            (OPEN, CLOSED),
            (WORKING, OPEN),
            (WORKING, WAITING),
            (WORKING, CLOSED),
            (WAITING, OPEN),
            (WAITING, WORKING),
            (WAITING, CLOSED),
        ],
    )
    def test_agents_may_move_between_the_working_states(
        self, source: Status, target: Status
    ) -> None:
        default_workflow().check(source, target, Role.AGENT)

    def test_only_lead_and_admin_may_reopen(self) -> None:
        workflow = default_workflow()
        with pytest.raises(
            PermissionDeniedError, match=r"^only admin, lead may change status closed → open$"
        ):
            workflow.check(CLOSED, OPEN, Role.AGENT)
        workflow.check(CLOSED, OPEN, Role.LEAD)
        workflow.check(CLOSED, OPEN, Role.ADMIN)

    @pytest.mark.parametrize(("source", "target"), [(CLOSED, WAITING), (CLOSED, WORKING)])
    def test_closed_only_goes_back_to_open(self, source: Status, target: Status) -> None:
        with pytest.raises(
            TransitionError, match=rf"^the workflow does not allow {source} → {target}$"
        ):
            default_workflow().check(source, target, Role.ADMIN)

    def test_targets_per_role(self) -> None:
        workflow = default_workflow()
        assert workflow.targets(OPEN, Role.AGENT) == [WORKING, WAITING, CLOSED]
        assert workflow.targets(CLOSED, Role.AGENT) == []
        assert workflow.targets(CLOSED, Role.LEAD) == [OPEN]


class TestCustomWorkflow:
    def test_a_configured_workflow_replaces_the_default(self) -> None:
        workflow = Workflow(
            (
                Transition(OPEN, CLOSED, frozenset({Role.LEAD})),
                Transition(CLOSED, OPEN, frozenset({Role.AGENT})),
            )
        )
        workflow.check(CLOSED, OPEN, Role.AGENT)
        with pytest.raises(
            PermissionDeniedError, match=r"^only lead may change status open → closed$"
        ):
            workflow.check(OPEN, CLOSED, Role.AGENT)
        with pytest.raises(TransitionError, match=r"^the workflow does not allow open → waiting$"):
            workflow.check(OPEN, WAITING, Role.ADMIN)

    def test_a_transition_without_roles_given_is_open_to_every_role(self) -> None:
        workflow = Workflow((Transition(OPEN, WAITING),))
        for role in Role:
            workflow.check(OPEN, WAITING, role)


class TestCaseTypes:
    def test_default_types_and_default_type(self) -> None:
        policy = Policy()
        assert [t.key for t in policy.case_types] == ["general", "ticket", "complaint"]
        assert policy.default_type == "ticket"
        assert policy.default_priority is Priority.NORMAL
        assert policy.delete_roles == frozenset({Role.LEAD, Role.ADMIN})

    def test_case_type_lookup_ignores_case_and_spaces(self) -> None:
        assert Policy().case_type("  COMPLAINT ").label == "Complaint"

    def test_unknown_case_type_names_the_known_ones(self) -> None:
        policy = Policy(case_types=(CaseType("rma", "RMA"), CaseType("general", "General")))
        with pytest.raises(
            ValidationError, match=r"^unknown case type 'Ticket' \(known: rma, general\)$"
        ):
            policy.case_type("Ticket")

    def test_custom_fields_must_belong_to_the_type(self) -> None:
        policy = Policy(case_types=(CaseType("rma", "RMA", ("serial", "model")),))
        policy.check_custom_fields("rma", {"serial": "1", "model": "X"})
        policy.check_custom_fields("rma", {})
        with pytest.raises(ValidationError, match=r"^case type 'rma' has no field 'a'$"):
            policy.check_custom_fields("rma", {"serial": "1", "z": "2", "a": "3"})


class TestParsers:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [("high", Priority.HIGH), (" URGENT ", Priority.URGENT), ("Low", Priority.LOW)],
    )
    def test_parse_priority(self, text: str, expected: Priority) -> None:
        assert parse_priority(text) is expected

    def test_parse_priority_refuses_unknown_values(self) -> None:
        with pytest.raises(
            ValidationError, match=r"^unknown priority 'hot' \(known: low, normal, high, urgent\)$"
        ):
            parse_priority("hot")

    @pytest.mark.parametrize("text", ["in_progress", "in-progress", "In Progress", " IN_PROGRESS "])
    def test_parse_status_accepts_spellings_of_in_progress(self, text: str) -> None:
        assert parse_status(text) is Status.IN_PROGRESS

    def test_parse_status_refuses_unknown_values(self) -> None:
        with pytest.raises(
            ValidationError,
            match=r"^unknown status 'done' \(known: open, in_progress, waiting, closed\)$",
        ):
            parse_status("done")

    def test_parse_roles(self) -> None:
        assert parse_roles(["agent", "lead", "lead"]) == frozenset({Role.AGENT, Role.LEAD})
        assert parse_roles([]) == frozenset()
        with pytest.raises(
            ValidationError, match=r"^unknown role 'boss' \(known: agent, lead, admin\)$"
        ):
            parse_roles(["admin", "boss"])

    def test_priority_rank_puts_urgent_first(self) -> None:
        ranked = sorted(Priority, key=lambda p: p.rank)
        assert ranked == [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]
