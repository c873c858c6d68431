"""Comment threads (issue 21): a reply tells the author of the comment replied to,
nobody else; a top-level comment and one's reply to oneself tell nobody."""
import uuid

from notifications import messages

from .test_who_hears_what import P, told

FIRST, REPLIER = str(uuid.uuid4()), str(uuid.uuid4())


def test_a_reply_tells_the_first_commenter_only():
    reply = {"proposal_id": P, "comment_id": str(uuid.uuid4()), "parent_author_id": FIRST, "author_id": REPLIER}
    assert told("samskab.comment.posted", reply) == [("comment_replied", [FIRST])]
    top = {"proposal_id": P, "comment_id": str(uuid.uuid4()), "parent_author_id": None, "author_id": FIRST}
    assert told("samskab.comment.posted", top) == [("comment_replied", [])]
    to_self = {**reply, "author_id": FIRST}
    assert told("samskab.comment.posted", to_self) == [("comment_replied", [])]


def test_the_reply_message_names_the_proposal_in_danish_and_norwegian():
    assert messages.render("comment_replied", "da", {"title": "Bænke"})[0] == "Nyt svar på din kommentar til „Bænke“"
    assert messages.render("comment_replied", "nb", {"title": "Benker"})[0] == "Nytt svar på kommentaren din til «Benker»"
