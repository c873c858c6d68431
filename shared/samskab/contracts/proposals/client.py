"""The typed client of the proposals service: ``ctx.proposals.get(m, actor, proposal_id)``.

Every method takes municipality, actor, ids, payload in that order (as the service's
entrypoints do); payloads may be the input models or plain dicts of them; answers
are the output models.
"""
from ..moderation import DismissedOut, ReportedItem, ReportsDismissal
from ..rpc import ServiceClient
from .outputs import (
    AgreementOut, AnswerOut, ExperimentOut, FollowOut, HiddenOut, HistoryEntry, OpenReportOut, OwnOut, ProposalOut,
    ProposalPage, QuestionOut, ReportOut, SubmittedOut, SupportOut, UpdateOut,
)


# The public reads the service answers several at a time (``reads``): what a proposal's page
# shows to anybody, asked by the gateway's read model in one call when a page misses them.
BATCHED_READS = ("get", "history", "questions", "agreement", "experiments", "updates", "attachments",
                 "missions_of_proposal", "case_of_proposal")


def _each(model, items):
    return [model.model_validate(item) for item in items]


class ProposalsRpc(ServiceClient):
    service = "proposals"

    # -- proposals and their status -----------------------------------------------------

    def submit(self, municipality, actor, payload, idempotency_key=None) -> SubmittedOut:
        args = (municipality, actor, self._dump(payload)) + ((idempotency_key,) if idempotency_key is not None else ())
        return SubmittedOut.model_validate(self._rpc("submit", *args))

    def get(self, municipality, actor, proposal_id) -> ProposalOut:
        return ProposalOut.model_validate(self._rpc("get", municipality, actor, str(proposal_id)))

    def reads(self, municipality, actor, calls) -> list[dict]:
        """Several of ``BATCHED_READS`` as nobody in particular (``actor`` None), in one call:
        ``calls`` is ``[[method, [arguments after municipality and actor], {keywords}], …]``;
        the answer one dict per call, ``{"result": …}``, ``{"missing": "…"}`` (not found) or
        ``{"error": …}`` (nameko's serialised error)."""
        return self._rpc("reads", municipality, actor, calls)

    def mine(self, municipality, actor) -> OwnOut:
        return OwnOut.model_validate(self._rpc("mine", municipality, actor))

    def list_page(self, municipality, actor, query=None) -> ProposalPage:
        return ProposalPage.model_validate(self._rpc("list_page", municipality, actor, query or {}))

    def update(self, municipality, actor, proposal_id, patch) -> ProposalOut:
        return ProposalOut.model_validate(self._rpc("update", municipality, actor, str(proposal_id), self._dump(patch)))

    def transition(self, municipality, actor, proposal_id, request) -> ProposalOut:
        return ProposalOut.model_validate(
            self._rpc("transition", municipality, actor, str(proposal_id), self._dump(request)))

    def history(self, municipality, actor, proposal_id) -> list[HistoryEntry]:
        return _each(HistoryEntry, self._rpc("history", municipality, actor, str(proposal_id)))

    # -- supports and follows ---------------------------------------------------------------

    def support(self, municipality, actor, proposal_id) -> SupportOut:
        return SupportOut.model_validate(self._rpc("support", municipality, actor, str(proposal_id)))

    def unsupport(self, municipality, actor, proposal_id) -> SupportOut:
        return SupportOut.model_validate(self._rpc("unsupport", municipality, actor, str(proposal_id)))

    def follow(self, municipality, actor, proposal_id, following=True) -> FollowOut:
        return FollowOut.model_validate(self._rpc("follow", municipality, actor, str(proposal_id), bool(following)))

    # -- questions and answers --------------------------------------------------------------

    def questions(self, municipality, actor, proposal_id, unanswered=False) -> list[QuestionOut]:
        return _each(QuestionOut, self._rpc("questions", municipality, actor, str(proposal_id), bool(unanswered)))

    def ask(self, municipality, actor, proposal_id, question) -> QuestionOut:
        return QuestionOut.model_validate(self._rpc("ask", municipality, actor, str(proposal_id), self._dump(question)))

    def answer(self, municipality, actor, proposal_id, question_id, answer) -> AnswerOut:
        return AnswerOut.model_validate(
            self._rpc("answer", municipality, actor, str(proposal_id), str(question_id), self._dump(answer)))

    # -- the agreement, experiments, updates --------------------------------------------------

    def agreement(self, municipality, actor, proposal_id) -> AgreementOut:
        return AgreementOut.model_validate(self._rpc("agreement", municipality, actor, str(proposal_id)))

    def draft_agreement(self, municipality, actor, proposal_id, draft) -> AgreementOut:
        return AgreementOut.model_validate(
            self._rpc("draft_agreement", municipality, actor, str(proposal_id), self._dump(draft)))

    def accept_agreement(self, municipality, actor, proposal_id, acceptance) -> AgreementOut:
        return AgreementOut.model_validate(
            self._rpc("accept_agreement", municipality, actor, str(proposal_id), self._dump(acceptance)))

    def experiments(self, municipality, actor, proposal_id) -> list[ExperimentOut]:
        return _each(ExperimentOut, self._rpc("experiments", municipality, actor, str(proposal_id)))

    def record_experiment(self, municipality, actor, proposal_id, experiment) -> ExperimentOut:
        return ExperimentOut.model_validate(
            self._rpc("record_experiment", municipality, actor, str(proposal_id), self._dump(experiment)))

    def update_experiment(self, municipality, actor, proposal_id, experiment_id, patch) -> ExperimentOut:
        return ExperimentOut.model_validate(self._rpc(
            "update_experiment", municipality, actor, str(proposal_id), str(experiment_id), self._dump(patch)))

    def updates(self, municipality, actor, proposal_id) -> list[UpdateOut]:
        return _each(UpdateOut, self._rpc("updates", municipality, actor, str(proposal_id)))

    def post_update(self, municipality, actor, proposal_id, update) -> UpdateOut:
        return UpdateOut.model_validate(
            self._rpc("post_update", municipality, actor, str(proposal_id), self._dump(update)))

    # -- reports and moderation ---------------------------------------------------------------

    def report(self, municipality, actor, proposal_id, report) -> ReportOut:
        return ReportOut.model_validate(self._rpc("report", municipality, actor, str(proposal_id), self._dump(report)))

    def reports(self, municipality, actor) -> list[OpenReportOut]:
        return _each(OpenReportOut, self._rpc("reports", municipality, actor))

    def hide(self, municipality, actor, proposal_id, request) -> HiddenOut:
        return HiddenOut.model_validate(self._rpc("hide", municipality, actor, str(proposal_id), self._dump(request)))

    def decide_report(self, municipality, actor, report_id, decision) -> ReportOut:
        return ReportOut.model_validate(
            self._rpc("decide_report", municipality, actor, str(report_id), self._dump(decision)))

    def reported(self, municipality, actor) -> list[ReportedItem]:
        """Everything reported and still open under the municipality's proposals (staff only)."""
        return _each(ReportedItem, self._rpc("reported", municipality, actor))

    def dismiss_reports(self, municipality, actor, proposal_id, dismissal: ReportsDismissal) -> DismissedOut:
        return DismissedOut.model_validate(
            self._rpc("dismiss_reports", municipality, actor, str(proposal_id), self._dump(dismissal)))

    # -- a person's data (no municipality: answered by the home group) -----------------------

    def export_participant(self, participant_id) -> dict:
        return self._rpc("export_participant", str(participant_id))
