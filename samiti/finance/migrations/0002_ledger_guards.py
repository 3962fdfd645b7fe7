"""The database's own guard of the ledger, below every service.

- A transaction's header is written after its postings and refused unless they are at least two
  and sum to zero.
- A posting cannot join a transaction already written.
- Nothing can be posted into a closed period.
- Transactions and postings are never changed. They are never deleted on PostgreSQL either;
  SQLite keeps no delete guard, because its way of emptying a table (a test database between
  tests) is a DELETE, where PostgreSQL's is a TRUNCATE that row triggers do not see.

Both engines raise a constraint violation, which Django reports as an IntegrityError.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER finance_posting_no_update BEFORE UPDATE ON finance_posting
       BEGIN SELECT RAISE(ABORT, 'ledger: postings are never changed'); END""",
    """CREATE TRIGGER finance_transaction_no_update BEFORE UPDATE ON finance_transaction
       BEGIN SELECT RAISE(ABORT, 'ledger: transactions are never changed'); END""",
    """CREATE TRIGGER finance_posting_into_posted BEFORE INSERT ON finance_posting
       WHEN EXISTS (SELECT 1 FROM finance_transaction WHERE id = NEW.transaction_id)
       BEGIN SELECT RAISE(ABORT, 'ledger: a posted transaction takes no new postings'); END""",
    """CREATE TRIGGER finance_transaction_balanced BEFORE INSERT ON finance_transaction
       WHEN (SELECT COUNT(*) < 2 OR SUM(amount) <> 0 FROM finance_posting WHERE transaction_id = NEW.id)
       BEGIN SELECT RAISE(ABORT, 'ledger: a transaction needs two or more postings that sum to zero'); END""",
    """CREATE TRIGGER finance_transaction_closed_period BEFORE INSERT ON finance_transaction
       WHEN EXISTS (SELECT 1 FROM finance_periodclose
                    WHERE organisation_id = NEW.organisation_id AND through >= NEW."on")
       BEGIN SELECT RAISE(ABORT, 'ledger: the period is closed'); END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in ("finance_posting_no_update", "finance_transaction_no_update", "finance_posting_into_posted",
                 "finance_transaction_balanced", "finance_transaction_closed_period")
]

POSTGRES = [
    """CREATE FUNCTION finance_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'ledger: ' || TG_ARGV[0]; END $$""",
    """CREATE TRIGGER finance_posting_immutable BEFORE UPDATE OR DELETE ON finance_posting
       FOR EACH ROW EXECUTE FUNCTION finance_refuse('postings are never changed or deleted')""",
    """CREATE TRIGGER finance_transaction_immutable BEFORE UPDATE OR DELETE ON finance_transaction
       FOR EACH ROW EXECUTE FUNCTION finance_refuse('transactions are never changed or deleted')""",
    """CREATE FUNCTION finance_posting_check() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM finance_transaction WHERE id = NEW.transaction_id) THEN
           RAISE EXCEPTION USING ERRCODE = 'check_violation',
             MESSAGE = 'ledger: a posted transaction takes no new postings';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER finance_posting_into_posted BEFORE INSERT ON finance_posting
       FOR EACH ROW EXECUTE FUNCTION finance_posting_check()""",
    """CREATE FUNCTION finance_transaction_check() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE lines bigint; total numeric;
       BEGIN
         SELECT COUNT(*), COALESCE(SUM(amount), 0) INTO lines, total
           FROM finance_posting WHERE transaction_id = NEW.id;
         IF lines < 2 OR total <> 0 THEN
           RAISE EXCEPTION USING ERRCODE = 'check_violation',
             MESSAGE = 'ledger: a transaction needs two or more postings that sum to zero';
         END IF;
         IF EXISTS (SELECT 1 FROM finance_periodclose
                    WHERE organisation_id = NEW.organisation_id AND through >= NEW."on") THEN
           RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'ledger: the period is closed';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER finance_transaction_balanced BEFORE INSERT ON finance_transaction
       FOR EACH ROW EXECUTE FUNCTION finance_transaction_check()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS finance_transaction_balanced ON finance_transaction",
    "DROP TRIGGER IF EXISTS finance_posting_into_posted ON finance_posting",
    "DROP TRIGGER IF EXISTS finance_transaction_immutable ON finance_transaction",
    "DROP TRIGGER IF EXISTS finance_posting_immutable ON finance_posting",
    "DROP FUNCTION IF EXISTS finance_transaction_check()",
    "DROP FUNCTION IF EXISTS finance_posting_check()",
    "DROP FUNCTION IF EXISTS finance_refuse()",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
