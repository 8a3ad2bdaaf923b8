"""The address bar: setup links that restore a page, and job tickets that let a reload
find this session's jobs again."""

from __future__ import annotations

from typing import Any

import streamlit as st

from genoviz.jobs import default_manager
from genoviz.share import Decoded, Setup, decode_setup, encode_setup, share_url

#: The address-bar parameter with this session's job ticket (see :mod:`genoviz.jobs`).
JOB_PARAM = "job"


def _query_key(page: str) -> str:
    return f"_share_synced_{page}"


def link_setup(page: str) -> Decoded | None:
    """The setup in the URL on the page's first run in this session (a link was opened),
    else None. Bad values come back as ``problems`` to show, never raise.

    Only the first run counts: opening or editing a link loads a new session, while a
    rerun may carry the browser's previous query string (Streamlit 1.67 sometimes updates
    the address bar one run late), which must not undo what the user just did.
    """
    if _query_key(page) in st.session_state:
        return None
    current = st.query_params.to_dict()
    st.session_state[_query_key(page)] = current
    return decode_setup(current) if current else None


def sync_link(page: str, setup: Setup, job: Any = None) -> str:
    """Write ``setup`` into the address bar (the setup lives in the URL, as in TF
    Playground) and return the full shareable link.

    With this session's training ``job``, the address bar also holds its ticket
    (``job=``), so that a reload finds it again (:func:`reattach_job`); the shareable link
    never carries it."""
    params = encode_setup(setup)
    ticket = default_manager().ticket(job) if job is not None else None
    if ticket is not None:
        params[JOB_PARAM] = ticket
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    st.session_state[_query_key(page)] = params
    base = st.context.url or f"/{page}"
    return share_url(base, setup)


def reattach_job(state_key: str, kind: str, param: str = JOB_PARAM) -> Any:
    """This session's job under ``state_key``. A reload starts a new session with nothing
    in it: then the job whose ticket the address bar holds under ``param``
    (:func:`sync_link`, :func:`hold_tickets`), when the server still has it, is this
    session's again, training or finished."""
    job = st.session_state.get(state_key)
    if job is None:
        ticket = st.query_params.get(param)
        found = default_manager().find(ticket, kind) if ticket else None
        if found is not None:
            st.session_state[state_key] = job = found
    return job


def hold_tickets(jobs: dict[str, Any]) -> None:
    """Keep each of this session's jobs' tickets in the address bar under its parameter
    name (``jobs``: parameter -> job or None), for a page with no setup link (the Zoo's
    two jobs), so that a reload finds them again (:func:`reattach_job`)."""
    manager = default_manager()
    for param, job in jobs.items():
        ticket = manager.ticket(job) if job is not None else None
        if ticket is not None and st.query_params.get(param) != ticket:
            st.query_params[param] = ticket


def copy_link_button(
    url: str, where: Any = None, key: str = "copy_link", left_out: list[str] | None = None
) -> None:
    """A "Copy link" popover holding the link with a one-click copy icon; ``left_out``
    names settings of the page that the link does not carry."""
    target = where if where is not None else st
    with target.popover("Copy link", icon=":material/link:", key=key):
        if left_out:
            st.caption(
                "This link opens the same setup, except what a link cannot carry: "
                f"{'; '.join(left_out)}. Set those again after opening it (the copy icon is "
                "on the right):"
            )
        else:
            st.caption("This link opens the same setup (the copy icon is on the right):")
        st.code(url, language=None, wrap_lines=True)
