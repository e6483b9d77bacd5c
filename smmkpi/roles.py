"""Roles, what each may do, and who gets which role (pure; the Streamlit side is
smmkpi/ui/auth.py, role changes are stored by smmkpi/actions/roles.py).

viewer: every page, and ad hoc review of uploads in their own session;
editor: also imports, target edits, and alert rules, digest subscriptions and annotations;
admin:  also user roles and the audit log (the Admin page).

Who gets a role (hosted mode). Two sources:
- the allow-list in `.streamlit/secrets.toml`, section `[smmkpi.roles]`, with lists
  `admins`, `editors`, `viewers` of emails (`"ann@example.com"`) and email domains
  (`"@example.com"`: everyone whose verified email ends in exactly that domain);
- roles that admins set on the Admin page (table `user_roles`), for an email or a domain,
  with one more value, `none`, which takes access away.

The most specific rule wins: an email rule beats a domain rule. For the same email or
domain, the Admin page's rule beats the secrets file. Within the secrets file, an entry in
several lists gets the highest of their roles. One exception keeps the app from locking
out its owners: an email listed in `admins` in secrets is always an admin. Nobody else
gets in: a logged-in user no rule matches sees "no access".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

Role = Literal["viewer", "editor", "admin"]
Action = Literal["view", "review_uploads", "import", "edit_targets", "edit_alerts", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")
# What the Admin page may store for an email or domain: a role, or "none" (no access).
Override = Literal["viewer", "editor", "admin", "none"]
OVERRIDES: tuple[Override, ...] = get_args(Override)

PERMISSIONS: dict[Role, frozenset[str]] = {
    "viewer": frozenset({"view", "review_uploads"}),
    "editor": frozenset({"view", "review_uploads", "import", "edit_targets", "edit_alerts"}),
    "admin": frozenset({"view", "review_uploads", "import", "edit_targets", "edit_alerts",
                        "admin"}),
}
ROLE_LABELS: dict[str, str] = {
    "viewer": "Viewer: sees every page",
    "editor": "Editor: also imports data, edits targets, alerts, digests and annotations",
    "admin": "Admin: also manages user roles and reads the audit log",
    "none": "No access",
}
# The secrets lists, highest role first.
SECRETS_LISTS: tuple[tuple[str, Role], ...] = (
    ("admins", "admin"), ("editors", "editor"), ("viewers", "viewer"),
)


def allowed(role: Role | None, action: Action) -> bool:
    """Whether a role may do an action (no role: nothing)."""
    return role is not None and action in PERMISSIONS[role]


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^@[^@\s]+\.[^@\s]+$")


def principal(text: str) -> str:
    """An email or '@domain' as stored and compared (trimmed, lower case).

    Raises ValueError for anything else (a bare domain without '@' is refused rather than
    guessed, so `example.com` never silently means the whole company)."""
    p = str(text).strip().lower()
    if _EMAIL.match(p) or _DOMAIN.match(p):
        return p
    raise ValueError(
        f"{text!r} is neither an email (ann@example.com) nor a domain (@example.com)"
    )


def is_domain(p: str) -> bool:
    return p.startswith("@")


@dataclass(frozen=True)
class AllowList:
    """The `[smmkpi.roles]` section of secrets: role per email or '@domain'."""

    rules: Mapping[str, Role]

    @classmethod
    def parse(cls, section: Mapping[str, Any] | None) -> AllowList:
        """Read `{admins: [...], editors: [...], viewers: [...]}`; raises ValueError naming
        the list and entry that is wrong (the app then lets nobody in: fail closed)."""
        section = dict(section or {})
        unknown = sorted(set(section) - {name for name, _ in SECRETS_LISTS})
        if unknown:
            raise ValueError(
                f"[smmkpi.roles] has unknown keys {unknown}: use admins, editors, viewers"
            )
        rules: dict[str, Role] = {}
        for name, role in reversed(SECRETS_LISTS):  # lowest first: higher lists overwrite
            entries = section.get(name, [])
            if isinstance(entries, str):
                entries = [entries]
            if not isinstance(entries, list | tuple):
                raise ValueError(f"[smmkpi.roles] {name} must be a list of emails or @domains")
            for entry in entries:
                try:
                    rules[principal(entry)] = role
                except ValueError as e:
                    raise ValueError(f"[smmkpi.roles] {name}: {e}") from None
        return cls(rules)

    @property
    def owners(self) -> frozenset[str]:
        """Emails listed in `admins`: always admins, whatever the Admin page says."""
        return frozenset(p for p, r in self.rules.items() if r == "admin" and not is_domain(p))


@dataclass(frozen=True)
class Grant:
    """A user's role and the rule that gave it (shown on the Admin page)."""

    role: Role | None
    rule: str


def resolve(
    email: str | None,
    allow: AllowList,
    overrides: Mapping[str, str] | None = None,
    *,
    email_verified: object = None,
) -> Grant:
    """The role of a logged-in user with this email (None: no access).

    `overrides` maps principals (emails, '@domains') to roles or 'none', as set on the
    Admin page. `email_verified` is the identity provider's claim as sent: an email it
    marks as not verified (false, "false") gets no access at all, and only a verified one
    (true, "true") may match a domain rule: a missing or odd claim matches exact email
    rules only, or anyone could claim a company address.
    """
    overrides = overrides or {}
    if not email:
        return Grant(None, "the identity provider sent no email address")
    verified = verified_claim(email_verified)
    if verified is False:
        return Grant(None, "the identity provider says this email is not verified")
    try:
        who = principal(email)
    except ValueError:
        return Grant(None, f"{email!r} is not an email address")
    if who in allow.owners:
        return Grant("admin", f"secrets: admins lists {who}")
    domain = "@" + who.split("@", 1)[1]
    for p in (who, domain) if verified else (who,):
        if p in overrides:
            value = overrides[p]
            role: Role | None = value if value in ROLES else None  # type: ignore[assignment]
            return Grant(role, f"Admin page: {p} is {value}")
        if p in allow.rules:
            role = allow.rules[p]
            return Grant(role, f"secrets: {role}s list {p}")
    if not verified and (domain in overrides or domain in allow.rules):
        return Grant(None, f"{who} is not marked verified by the identity provider, so the "
                     f"rule for {domain} does not apply")
    return Grant(None, f"no rule for {who} or {domain}")


def verified_claim(value: object) -> bool | None:
    """The `email_verified` claim as True, False or None (absent or unreadable)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def effective_rules(allow: AllowList, overrides: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every rule with where it comes from and whether it applies, for the Admin page:
    one row per principal, most specific first (emails, then domains)."""
    rows = []
    for p in sorted(set(allow.rules) | set(overrides), key=lambda x: (is_domain(x), x)):
        secret = allow.rules.get(p)
        db = overrides.get(p)
        owner = p in allow.owners
        rows.append({
            "principal": p,
            "secrets": secret,
            "admin_page": db,
            "effective": "admin" if owner else (db if db is not None else secret),
            "note": "listed in secrets as admin: always an admin" if owner and db not in (
                None, "admin") else "",
        })
    return rows


def validate_override(p: str, value: str, *, editor_email: str | None,
                      allow: AllowList) -> tuple[str, str]:
    """Check one Admin-page rule before it is stored; returns (principal, role).

    Refused: a value other than a role or 'none'; a rule on the editing admin's own
    email (no locking yourself out; ask another admin); and a rule on an owner (an email in
    secrets' admins), which would have no effect."""
    who = principal(p)
    if value not in OVERRIDES:
        raise ValueError(f"{value!r} is not one of {', '.join(OVERRIDES)}")
    if editor_email and who == principal(editor_email):
        raise ValueError("you cannot change your own role; ask another admin")
    if who in allow.owners:
        raise ValueError(f"{who} is listed as admin in secrets and stays an admin")
    return who, value

