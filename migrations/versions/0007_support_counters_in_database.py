"""The database keeps the support counters: a support row inserted or deleted moves its idea's
support_count and the person's ledger for the window in the same statement, and an insert
that takes the ledger past the window's support limit fails with "support limit reached".
Before, the app wrote the three rows itself; now one statement does a support, whichever
code writes it, so no path can forget a counter and SQLite's write lock is held for one
statement instead of three.

A later migration that rebuilds supports, ideas, support_ledgers or idea_windows on SQLite
(batch_alter_table copies, drops and renames the table) must drop these triggers first and
create them again after, from a copy of SQLITE_TRIGGERS: the triggers name those tables, so
the rebuild fails ("no such table") or silently loses them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 08:00:00

"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# The words the app recognises in the error (app.voting.services.LIMIT_REACHED).
LIMIT_REACHED = 'support limit reached'

SQLITE_TRIGGERS = [
    # Ledger first, so a support over the limit fails before it touches the idea's row.
    f"""CREATE TRIGGER supports_counted AFTER INSERT ON supports BEGIN
        INSERT INTO support_ledgers (user_id, window_id, used)
            VALUES (NEW.user_id, NEW.window_id, 1)
            ON CONFLICT (user_id, window_id) DO UPDATE SET used = used + 1;
        SELECT RAISE(ABORT, '{LIMIT_REACHED}')
            FROM support_ledgers JOIN idea_windows ON idea_windows.id = support_ledgers.window_id
            WHERE support_ledgers.user_id = NEW.user_id
              AND support_ledgers.window_id = NEW.window_id
              AND idea_windows.support_limit IS NOT NULL
              AND support_ledgers.used > idea_windows.support_limit;
        UPDATE ideas SET support_count = support_count + 1 WHERE id = NEW.idea_id;
    END""",
    """CREATE TRIGGER supports_uncounted AFTER DELETE ON supports BEGIN
        UPDATE support_ledgers SET used = used - 1
            WHERE user_id = OLD.user_id AND window_id = OLD.window_id;
        UPDATE ideas SET support_count = support_count - 1 WHERE id = OLD.idea_id;
    END""",
]

POSTGRESQL_TRIGGERS = [
    # In PostgreSQL the upsert waits for a simultaneous support by the same person and then
    # counts on from what that one committed, so the limit check sees every support.
    f"""CREATE FUNCTION count_support() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        now_used integer;
        most integer;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO support_ledgers (user_id, window_id, used)
                VALUES (NEW.user_id, NEW.window_id, 1)
                ON CONFLICT (user_id, window_id)
                DO UPDATE SET used = support_ledgers.used + 1
                RETURNING used INTO now_used;
            SELECT support_limit INTO most FROM idea_windows WHERE id = NEW.window_id;
            IF most IS NOT NULL AND now_used > most THEN
                RAISE EXCEPTION '{LIMIT_REACHED}' USING ERRCODE = 'check_violation';
            END IF;
            UPDATE ideas SET support_count = support_count + 1 WHERE id = NEW.idea_id;
            RETURN NEW;
        END IF;
        UPDATE support_ledgers SET used = used - 1
            WHERE user_id = OLD.user_id AND window_id = OLD.window_id;
        UPDATE ideas SET support_count = support_count - 1 WHERE id = OLD.idea_id;
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER supports_counted AFTER INSERT OR DELETE ON supports
        FOR EACH ROW EXECUTE FUNCTION count_support()""",
]


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER supports_counted ON supports')
        op.execute('DROP FUNCTION count_support()')
    else:
        op.execute('DROP TRIGGER supports_uncounted')
        op.execute('DROP TRIGGER supports_counted')
