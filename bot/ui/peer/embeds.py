"""What peer sessions show: the invite, each half's notice, the interviewer's panel, the
scorecard and the history. Members appear as <@id> mentions, which never ping: every message
is sent with allowed_mentions none, except the invite, which pings the invited member only."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.core.models import Question
from bot.core.peer_state import SIGNALS, PeerInvite, PeerPhase, PeerSession
from bot.domain.answers.grading import bar, core_summary
from bot.domain.mock.scorecard import minutes as clock_text
from bot.domain.peer.scorecard import PeerCard
from bot.ui.kit.text import EMBED_FIELD, clip, quote_user_text


def when(moment: datetime | None) -> str:
    """A Discord timestamp that shows 'in 5 minutes' in each reader's own time."""
    return f"<t:{int(moment.timestamp())}:R>" if moment else "-"


def topics_text(topics: tuple[str, ...]) -> str:
    """The topics as a phrase."""
    return f"on {', '.join(topics)}" if topics else "on any topic"


def invite_text(invite: PeerInvite) -> str:
    """The invite: the only message of the feature that pings (the invited member)."""
    plural = "question" if invite.questions == 1 else "questions"
    return (
        f"<@{invite.partner_id}>: <@{invite.user_id}> invites you to a **peer mock interview**. "
        f"Each of you interviews the other for {clock_text(invite.minutes * 60)} with "
        f"{invite.questions} {plural} {topics_text(invite.topics)}; the bot hands the "
        f"interviewer the rubric. This invite expires {when(invite.expires_at)}."
    )


CLOSED = {
    "accepted": "accepted the invite",
    "declined": "declined the invite",
    "cancelled": "withdrew the invite",
    "expired": "let the invite expire",
}


def invite_closed_text(invite: PeerInvite, thread_id: int | None = None) -> str:
    """The invite once answered, withdrawn or expired (its buttons are removed)."""
    if invite.status == "expired":
        return f"The peer interview invite from <@{invite.user_id}> expired unanswered."
    if invite.status == "cancelled":
        return f"<@{invite.user_id}> withdrew their peer interview invite."
    who = f"<@{invite.partner_id}>"
    where = f": the session is in <#{thread_id}>" if thread_id else ""
    return f"{who} {CLOSED.get(invite.status, invite.status)} from <@{invite.user_id}>{where}."


def half_embed(state: PeerSession, in_dms: bool) -> discord.Embed:
    """The notice at the start of a half, or when its time is up."""
    half = state.current
    who = f"<@{half.interviewer}> interviews <@{half.candidate}>"
    embed = discord.Embed(colour=discord.Colour.blurple())
    embed.title = f"Peer mock interview · half {state.half + 1} of 2"
    where = "here in our DMs" if in_dms else "here"
    if state.phase is PeerPhase.FEEDBACK:
        embed.colour = discord.Colour.gold()
        embed.description = (
            f"⏰ Time's up for this half. <@{half.interviewer}>: open your panel and pick a hire "
            f"signal to send your feedback, {when(state.deadline)}; after that the half closes "
            "without a scorecard."
        )
        return embed
    embed.description = (
        f"{who} for {clock_text(state.minutes * 60)}, ending {when(state.deadline)}. "
        f"Talk in any voice channel, or write {where}: the bot needs no voice.\n\n"
        f"<@{half.interviewer}>: press **Open my panel** for the question to ask, its key "
        "points to tick while you listen, the probes and the red flags. Only you can open it.\n"
        f"<@{half.candidate}>: answer as in a real interview. Your scorecard and the "
        "interviewer's feedback come at the end of the half."
    )
    if state.half == 1:
        embed.set_author(name="Roles swapped")
    return embed


def ending_text(state: PeerSession) -> str:
    """The last word of a session."""
    if state.phase is PeerPhase.ENDED and state.ended_by is not None:
        return f"<@{state.ended_by}> ended the peer session. Feedback already given is kept."
    return (
        "Both halves are over: thank you both. Each scorecard counts in /stats and spaced "
        "repetition as graded by a peer; see /mock history."
    )


def _point_lines(question: Question, probe: int | None, ticked: tuple[int, ...]) -> str:
    lines = []
    for i, point in enumerate(question.points(probe)):
        box = "☑" if i in ticked else "☐"
        core = " **(core)**" if point.core else ""
        lines.append(f"{box} {i + 1}.{core} {clip(point.label, 150)}")
    return clip("\n".join(lines), EMBED_FIELD)


def panel_embed(state: PeerSession, question: Question) -> discord.Embed:
    """The interviewer's panel: what to ask, the checklist, the probes, red flags, time."""
    half = state.current
    probe = half.showing
    number = f"Question {half.index + 1} of {len(half.question_ids)}"
    embed = discord.Embed(colour=discord.Colour.dark_teal())
    embed.title = clip(f"Your panel · {number} · {question.title}", 256)
    if probe is None:
        embed.description = clip(f"*{question.scenario}*\n\n**Ask:** {question.question}", 4000)
    else:
        embed.description = clip(f"**Probe {probe + 1}, ask:** {question.prompt(probe)}", 4000)
    embed.add_field(
        name="Key points (core first): tick what you hear",
        value=_point_lines(question, probe, half.ticked(half.index, probe)),
        inline=False,
    )
    probes = [
        f"{i + 1}. {clip(p.question, 200)} ({len(p.key_points)} points)"
        for i, p in enumerate(question.probes)
    ]
    embed.add_field(
        name="Probes to ask next", value=clip("\n".join(probes) or "-", EMBED_FIELD), inline=False
    )
    flags = "\n".join(f"• {clip(f, 200)}" for f in question.red_flags)
    embed.add_field(name="Red flags", value=clip(flags or "-", EMBED_FIELD), inline=False)
    if state.phase is PeerPhase.FEEDBACK:
        time = f"Time's up: pick a hire signal below to send your feedback {when(state.deadline)}."
    else:
        time = f"The half ends {when(state.deadline)}. Pick a hire signal to finish it sooner."
    embed.add_field(name="Time", value=time, inline=False)
    embed.set_footer(text="Only you see this panel. Open my panel reopens it at any time.")
    return embed


def scorecard_embed(card: PeerCard) -> discord.Embed:
    """The candidate's scorecard from their peer, with the interviewer's feedback."""
    feedback = card.feedback
    embed = discord.Embed(
        title=f"Scorecard from your peer · {round(card.coverage * 100)}% of key points",
        colour=discord.Colour.green() if card.coverage >= 0.7 else discord.Colour.orange(),
    )
    by = f"<@{feedback.interviewer_id}>" if feedback.interviewer_id else "a former member"
    rows = [f"<@{feedback.candidate_id}>, interviewed by {by} · hire signal **{feedback.signal}**"]
    for i, line in enumerate(card.lines, start=1):
        probes = "".join(f" · probe {c}/{t}" for c, t in line.probes)
        core = f" · core {line.core[0]}/{line.core[1]}" if line.core and line.core[1] else ""
        rows.append(
            f"**{i}. {clip(line.title, 100)}** {line.covered}/{line.total} `{bar(line.coverage)}` "
            f"{round(line.coverage * 100)}%{core}{probes}"
        )
    embed.description = clip("\n".join(rows), 4096)
    core_covered = sum(line.core[0] for line in card.lines if line.core)
    core_asked = sum(line.core[1] for line in card.lines if line.core)
    if core_asked:
        embed.add_field(name="Core points", value=core_summary(core_covered, core_asked))
    embed.add_field(name="Done well", value=quote_user_text(feedback.well, 1000), inline=False)
    embed.add_field(name="To improve", value=quote_user_text(feedback.improve, 1000), inline=False)
    if card.missed:
        missed = "\n".join(f"• {clip(m, 200)}" for m in card.missed)
        embed.add_field(name="Key points not heard", value=clip(missed, EMBED_FIELD), inline=False)
    embed.set_footer(text="Graded by a peer: shown apart from self-graded answers in /stats.")
    return embed


def history_field(cards: list[PeerCard]) -> str:
    """The peer-graded halves, for /mock history."""
    lines = [
        f"<t:{int(c.feedback.created_at.timestamp())}:d> · by "
        f"{f'<@{c.feedback.interviewer_id}>' if c.feedback.interviewer_id else 'a former member'}"
        f" · {round(c.coverage * 100)}% `{bar(c.coverage)}` · hire signal {c.feedback.signal}"
        for c in cards
    ]
    return clip("\n".join(lines), EMBED_FIELD)


def signal_label(signal: int) -> str:
    """A hire signal as a button label."""
    return SIGNALS[signal].capitalize()
