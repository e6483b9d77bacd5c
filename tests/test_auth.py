"""Roles (pure): what each role may do, the secrets allow-list, and which rule decides a
user's role (email beats domain; the Admin page beats secrets; owners stay admins); and
the role changes of the Admin page, stored and audited (SQLite and PostgreSQL)."""

import pytest

from smmkpi import store
from smmkpi.actions import roles as role_actions
from smmkpi.roles import (
    AllowList,
    allowed,
    effective_rules,
    principal,
    resolve,
    validate_override,
)

ALLOW = AllowList.parse({
    "admins": ["Ann@Example.com"],
    "editors": ["ed@example.com", "@partner.org"],
    "viewers": ["@example.com", "ed@example.com"],  # ed is in two lists: editor wins
})


@pytest.mark.parametrize(("role", "may"), [
    ("viewer", {"view", "review_uploads"}),
    ("editor", {"view", "review_uploads", "import", "edit_targets"}),
    ("admin", {"view", "review_uploads", "import", "edit_targets", "admin"}),
    (None, set()),
])
def test_permissions(role, may):
    actions = {"view", "review_uploads", "import", "edit_targets", "admin"}
    assert {a for a in actions if allowed(role, a)} == may


@pytest.mark.parametrize(("text", "out"), [
    ("  Ann@Example.COM ", "ann@example.com"),
    ("@Example.com", "@example.com"),
])
def test_principal_normalizes(text, out):
    assert principal(text) == out


@pytest.mark.parametrize("bad", ["example.com", "ann", "ann@", "@", "a b@x.com", "ann@x",
                                 "@@x.com", ""])
def test_principal_refuses_what_is_not_an_email_or_domain(bad):
    with pytest.raises(ValueError):
        principal(bad)


def test_allow_list_parse():
    assert dict(ALLOW.rules) == {
        "ann@example.com": "admin", "ed@example.com": "editor", "@partner.org": "editor",
        "@example.com": "viewer",
    }
    assert ALLOW.owners == {"ann@example.com"}
    assert AllowList.parse(None).rules == {}
    assert AllowList.parse({"viewers": "@x.com"}).rules == {"@x.com": "viewer"}


@pytest.mark.parametrize(("section", "says"), [
    ({"admin": ["a@x.com"]}, "unknown keys"),
    ({"editors": ["x.com"]}, "editors"),
    ({"viewers": 3}, "must be a list"),
])
def test_allow_list_errors_name_the_problem(section, says):
    with pytest.raises(ValueError, match=says):
        AllowList.parse(section)


@pytest.mark.parametrize(("email", "role"), [
    ("ann@example.com", "admin"),        # email in admins
    ("ANN@EXAMPLE.COM", "admin"),        # case does not matter
    ("ed@example.com", "editor"),        # email rule beats the @example.com viewer rule
    ("vic@example.com", "viewer"),       # domain rule
    ("pat@partner.org", "editor"),       # domain rule
    ("eve@sub.example.com", None),       # a subdomain is another domain
    ("eve@example.com.evil.org", None),  # suffix tricks do not match
    ("zed@elsewhere.org", None),         # no rule
    ("", None),
    (None, None),
])
def test_resolve_from_secrets(email, role):
    assert resolve(email, ALLOW, email_verified=True).role == role


def test_admin_page_rules_override_secrets_at_the_same_specificity():
    overrides = {
        "ed@example.com": "viewer",     # demotes an editor listed by email
        "@example.com": "none",         # takes the domain's access away...
        "kim@example.com": "editor",    # ...except for kim, who gets more
        "ann@example.com": "none",      # an owner cannot be demoted
        "@partner.org": "admin",
    }
    got = {e: resolve(e, ALLOW, overrides, email_verified=True).role for e in (
        "ed@example.com", "vic@example.com", "kim@example.com", "ann@example.com",
        "pat@partner.org")}
    assert got == {"ed@example.com": "viewer", "vic@example.com": None,
                   "kim@example.com": "editor", "ann@example.com": "admin",
                   "pat@partner.org": "admin"}
    # an email rule in secrets beats a domain rule set on the Admin page
    assert resolve("ed@example.com", ALLOW, {"@example.com": "none"},
                   email_verified=True).role == "editor"


def test_resolve_says_which_rule_decided():
    assert resolve("vic@example.com", ALLOW, email_verified=True).rule == (
        "secrets: viewers list @example.com")
    assert resolve("vic@example.com", ALLOW, {"@example.com": "editor"},
                   email_verified=True).rule == "Admin page: @example.com is editor"
    assert "no rule" in resolve("zed@elsewhere.org", ALLOW, email_verified=True).rule


@pytest.mark.parametrize(("claim", "role"), [
    (True, "viewer"), ("true", "viewer"), ("TRUE", "viewer"),
    (False, None), ("false", None), (None, None), ("yes", None), (1, None), ("", None),
])
def test_only_a_verified_email_matches_a_domain_rule(claim, role):
    """A provider that says the email is unverified, or says nothing, could let anyone
    claim a company address: domain rules need a verified email (true or "true")."""
    assert resolve("vic@example.com", ALLOW, email_verified=claim).role == role


def test_an_unverified_claim_still_matches_exact_email_rules_unless_false():
    assert resolve("ed@example.com", ALLOW).role == "editor"  # listed by email
    assert resolve("ed@example.com", ALLOW, email_verified="false").role is None
    grant = resolve("vic@example.com", ALLOW)
    assert grant.role is None and "not marked verified" in grant.rule


def test_validate_override():
    assert validate_override(" Kim@Example.com", "editor", editor_email="ann@example.com",
                             allow=ALLOW) == ("kim@example.com", "editor")
    assert validate_override("@x.org", "none", editor_email=None, allow=ALLOW) == (
        "@x.org", "none")
    with pytest.raises(ValueError, match="your own role"):
        validate_override("ED@example.com", "admin", editor_email="ed@example.com",
                          allow=ALLOW)
    with pytest.raises(ValueError, match="stays an admin"):
        validate_override("ann@example.com", "viewer", editor_email="x@example.com",
                          allow=ALLOW)
    with pytest.raises(ValueError, match="not one of"):
        validate_override("kim@example.com", "owner", editor_email=None, allow=ALLOW)
    with pytest.raises(ValueError):
        validate_override("example.com", "viewer", editor_email=None, allow=ALLOW)


def test_effective_rules_lists_emails_then_domains():
    rows = effective_rules(ALLOW, {"ann@example.com": "viewer", "@example.com": "editor"})
    assert [r["principal"] for r in rows] == [
        "ann@example.com", "ed@example.com", "@example.com", "@partner.org"]
    ann, ed, dom, _ = rows
    assert (ann["secrets"], ann["admin_page"], ann["effective"]) == ("admin", "viewer", "admin")
    assert "always an admin" in ann["note"]
    assert (ed["effective"], dom["effective"]) == ("editor", "editor")


def test_role_changes_are_stored_audited_and_answered(engine):
    def set_role(who: str, value: str, editor: str = "ann@example.com") -> str:
        return role_actions.set_role(engine, who, value, editor_email=editor, allow=ALLOW,
                                     actor=editor)

    assert set_role(" Kim@Example.com", "editor") == "kim@example.com: no rule → editor."
    assert set_role("kim@example.com", "editor") == (
        "kim@example.com already is editor; nothing changed.")
    assert set_role("kim@example.com", "none") == "kim@example.com: editor → none."
    with pytest.raises(ValueError, match="your own role"):
        set_role("kim@example.com", "admin", editor="kim@example.com")
    with pytest.raises(ValueError, match="stays an admin"):
        set_role("ann@example.com", "viewer", editor="kim@example.com")
    assert store.role_overrides(engine) == {"kim@example.com": "none"}
    log = store.audit_log(engine)
    assert log["detail"].to_list() == ["kim@example.com: editor → none",
                                       "kim@example.com: no rule → editor"]
    assert log.select("inserted", "updated").rows() == [(0, 1), (1, 0)]
    assert set(log["actor"]) == {"ann@example.com"}

    def remove(who: str, editor: str = "ann@example.com") -> str:
        return role_actions.remove_role(engine, who, editor_email=editor, actor=editor)

    assert remove("@nowhere.org") == "There is no rule for @nowhere.org."
    with pytest.raises(ValueError, match="your own role"):
        remove("KIM@example.com ", editor="kim@example.com")
    assert remove("KIM@example.com ") == "Removed the rule for kim@example.com (none)."
    assert store.role_overrides(engine) == {}
    entry = store.audit_log(engine, 1).row(0, named=True)
    assert (entry["detail"], entry["deleted"], entry["action"]) == (
        "kim@example.com: none → rule removed", 1, "roles_edit")
