public import AMCashPostgres

/// The chain database's tables, owned by this project and changed only by new steps here
/// (`amcash backoffice migrate`).
///
/// - `terminal_rows`: every till's journal rows, one per (sponsor, store, device, trace id),
///   upserted as they change. The till's columns are written by forwarding only; the `host_*`
///   columns by the chain-wide reconciliation only, so neither undoes the other.
/// - `open_rows`: the rows not reconciled yet (a trigger adds each new row; a declined one leaves).
///   The nightly run deletes what it matched, so reconciling a million rows deletes a million narrow
///   rows instead of rewriting a million wide ones and their indexes (1.0 s against 14 s, measured).
/// - `terminals`: each till that has forwarded, and when it was last heard from.
/// - `reconciliation_runs` and `reconciliation_breaks`: what each nightly reconciliation found;
///   a re-run of a day replaces that day's breaks.
/// - `backoffice_users` and `backoffice_sessions` (version 2): the web back office's accounts, each
///   with a salted PBKDF2 hash and a lockout after repeated wrong passwords, and their sessions (only
///   a hash of each session's token is stored).
/// - `exception_resolutions` (version 2): who resolved which exception, when and why; appended to,
///   never changed or deleted, so it is the audit trail of the exception list.
/// - `terminal_rows.host_latency_ms` (version 3): each till's own time for the row's latest host call,
///   forwarded with the row, so the chain charts every till's host latency without scraping tills.
/// - `till_hour_totals` (version 4): each till's redemptions, reversals and voids (counts and cents) by
///   reconciliation day and Toronto hour, kept by a trigger as rows arrive or change state, so the Today
///   page reads a few thousand small rows instead of the day's hundred thousand.
/// - `terminal_rows.sale_id` (version 5): the store register's id of the sale a row belongs to, so a
///   supervisor's exception names the register's sale.
/// - `terminal_earnings` (version 6): every till's ISSUE and RETURN rows (journal version 11), one per
///   (sponsor, store, device, trace id), upserted as they change: the masked card and its keyed hash as
///   for redemptions, the state (`queued`, `accepted` = pending at the host, `issued`, `refused`), the
///   miles. A table of its own: earnings are not in the AM Cash daily file, so the reconciliation, its
///   open rows and the redemption totals never see them.
/// - `terminal_earnings.state` `exception` (version 7): an earning the till no longer sends (never answered
///   while the host surely held its key; the collector may not have earned) arrives as what it is, not as
///   `queued`; the migration turns the rows a version 6 database took as queued for it (their last failure
///   says "may not have earned: ask AIR MILES") into exceptions.
public enum BackOfficeSchema {
    public static let migrator = SchemaMigrator(
        component: "backoffice",
        steps: [
            .init(
                version: 1, name: "terminal rows, terminals, reconciliation",
                statements: [
                    """
                    CREATE TABLE terminal_rows (
                        sponsor text NOT NULL,
                        store text NOT NULL,
                        device text NOT NULL,
                        trace_id text NOT NULL,
                        kind text NOT NULL CHECK (kind IN ('REDEEM', 'REVERSE')),
                        state text NOT NULL,
                        card_masked text NOT NULL,
                        card_hash text,
                        card_number text,
                        confirmation_number text,
                        original_confirmation_number text,
                        requested_cents bigint,
                        units integer,
                        miles integer,
                        cents bigint,
                        response_code text,
                        created_at timestamptz NOT NULL,
                        answered_at timestamptz,
                        shown_at timestamptz,
                        redemption_day date NOT NULL,
                        reconciliation_day date NOT NULL,
                        is_void boolean NOT NULL,
                        is_exception boolean NOT NULL,
                        resolved_by_recovery boolean NOT NULL,
                        last_failure text,
                        change_seq bigint NOT NULL,
                        forwarded_at timestamptz NOT NULL,
                        row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
                        host_confirmation_number text,
                        host_units integer,
                        host_miles integer,
                        host_cents bigint,
                        PRIMARY KEY (sponsor, store, device, trace_id)
                    )
                    """,
                    // The reconciliation's load: a day's rows (and the next day's first minutes).
                    "CREATE INDEX terminal_rows_by_day ON terminal_rows (reconciliation_day, created_at)",
                    // The rows still open, by day: what the next night rolls forward.
                    "CREATE TABLE open_rows (row_id bigint PRIMARY KEY, reconciliation_day date NOT NULL)",
                    "CREATE INDEX open_rows_by_day ON open_rows (reconciliation_day)",
                    """
                    CREATE FUNCTION amcash_open_row() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF TG_OP = 'INSERT' THEN
                            IF NEW.state <> 'declined' THEN
                                INSERT INTO open_rows (row_id, reconciliation_day) VALUES (NEW.row_id, NEW.reconciliation_day) ON CONFLICT DO NOTHING;
                            END IF;
                        ELSE
                            DELETE FROM open_rows WHERE row_id = NEW.row_id;
                        END IF;
                        RETURN NULL;
                    END $$
                    """,
                    "CREATE TRIGGER terminal_rows_opened AFTER INSERT ON terminal_rows FOR EACH ROW EXECUTE FUNCTION amcash_open_row()",
                    """
                    CREATE TRIGGER terminal_rows_declined AFTER UPDATE OF state ON terminal_rows
                    FOR EACH ROW WHEN (NEW.state = 'declined' AND OLD.state <> 'declined') EXECUTE FUNCTION amcash_open_row()
                    """,
                    // A reversal's original, and a supervisor's look-up by confirmation number.
                    "CREATE INDEX terminal_rows_by_confirmation ON terminal_rows (confirmation_number) WHERE confirmation_number IS NOT NULL",
                    // The exception list: rows a person must look at, by store.
                    """
                    CREATE INDEX terminal_rows_needing_attention ON terminal_rows (store, reconciliation_day)
                    WHERE is_exception OR state IN ('exception', 'sending', 'unknown', 'voiding', 'reversing')
                    """,
                    "CREATE INDEX terminal_rows_by_card_hash ON terminal_rows (card_hash) WHERE card_hash IS NOT NULL",
                    """
                    CREATE TABLE terminals (
                        sponsor text NOT NULL,
                        store text NOT NULL,
                        device text NOT NULL,
                        first_seen_at timestamptz NOT NULL,
                        last_seen_at timestamptz NOT NULL,
                        last_change_seq bigint NOT NULL,
                        pending_rows integer NOT NULL DEFAULT 0,
                        PRIMARY KEY (sponsor, store, device)
                    )
                    """,
                    """
                    CREATE TABLE reconciliation_runs (
                        run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        day date NOT NULL,
                        sponsor text NOT NULL,
                        file text NOT NULL,
                        ran_at timestamptz NOT NULL DEFAULT now(),
                        records integer NOT NULL,
                        breaks integer NOT NULL,
                        summary text NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE reconciliation_breaks (
                        run_id bigint NOT NULL REFERENCES reconciliation_runs (run_id) ON DELETE CASCADE,
                        day date NOT NULL,
                        sponsor text NOT NULL,
                        store text NOT NULL,
                        device text NOT NULL,
                        class text NOT NULL,
                        record_number integer,
                        row_id bigint,
                        kind text NOT NULL,
                        trace_id text NOT NULL,
                        confirmation_number text,
                        card_masked text NOT NULL,
                        units integer,
                        miles integer,
                        cents bigint,
                        note text NOT NULL,
                        rolls_forward boolean NOT NULL
                    )
                    """,
                    "CREATE INDEX reconciliation_breaks_by_day ON reconciliation_breaks (day, store)",
                ]),
            .init(
                version: 2, name: "web accounts, sessions, exception resolutions",
                statements: [
                    """
                    CREATE TABLE backoffice_users (
                        name text PRIMARY KEY,
                        role text NOT NULL CHECK (role IN ('store', 'chain')),
                        store text,
                        password_hash text NOT NULL,
                        failed_logins integer NOT NULL DEFAULT 0,
                        locked_until timestamptz,
                        created_at timestamptz NOT NULL DEFAULT now(),
                        CHECK ((role = 'store') = (store IS NOT NULL))
                    )
                    """,
                    """
                    CREATE TABLE backoffice_sessions (
                        token_hash text PRIMARY KEY,
                        user_name text NOT NULL REFERENCES backoffice_users (name),
                        csrf_token text NOT NULL,
                        created_at timestamptz NOT NULL,
                        expires_at timestamptz NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE exception_resolutions (
                        resolution_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        exception_key text NOT NULL,
                        category text NOT NULL,
                        sponsor text NOT NULL,
                        store text NOT NULL,
                        device text NOT NULL,
                        summary text NOT NULL,
                        resolved_by text NOT NULL,
                        resolved_at timestamptz NOT NULL,
                        note text NOT NULL
                    )
                    """,
                    "CREATE INDEX exception_resolutions_by_key ON exception_resolutions (exception_key)",
                    "CREATE INDEX exception_resolutions_by_store ON exception_resolutions (store, resolved_at)",
                    // The audit trail is appended to only.
                    """
                    CREATE FUNCTION amcash_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        RAISE EXCEPTION 'exception_resolutions is an audit trail: rows are never changed or deleted';
                    END $$
                    """,
                    """
                    CREATE TRIGGER exception_resolutions_append_only BEFORE UPDATE OR DELETE ON exception_resolutions
                    FOR EACH ROW EXECUTE FUNCTION amcash_append_only()
                    """,
                ]),
            .init(
                version: 3, name: "host latency forwarded by the tills",
                statements: [
                    // The till's own time for the row's latest host call, in whole milliseconds (journal version 8).
                    "ALTER TABLE terminal_rows ADD COLUMN host_latency_ms integer CHECK (host_latency_ms >= 0)"
                ]),
            .init(
                version: 4, name: "each till's totals by hour, kept as rows arrive",
                statements: [
                    """
                    CREATE TABLE till_hour_totals (
                        reconciliation_day date NOT NULL,
                        store text NOT NULL,
                        device text NOT NULL,
                        sponsor text NOT NULL,
                        hour smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
                        redemptions integer NOT NULL DEFAULT 0,
                        redeemed_cents bigint NOT NULL DEFAULT 0,
                        reversals integer NOT NULL DEFAULT 0,
                        reversed_cents bigint NOT NULL DEFAULT 0,
                        voids integer NOT NULL DEFAULT 0,
                        voided_cents bigint NOT NULL DEFAULT 0,
                        PRIMARY KEY (reconciliation_day, store, device, sponsor, hour)
                    )
                    """,
                    // A row's part in its till's totals: an approved REDEEM, or a REVERSE that went through (worth its
                    // own cents, else its original's). Once per statement, not per row: a forwarded batch of 500 rows
                    // is one aggregated upsert per till and hour, its old rows taken out and its new ones put in
                    // (a row whose counted columns did not change cancels out).
                    totalsFunction("amcash_till_totals_inserted", rows: "SELECT 1 AS sign, * FROM new_rows"),
                    totalsFunction(
                        "amcash_till_totals_updated", rows: "SELECT -1 AS sign, * FROM old_rows UNION ALL SELECT 1, * FROM new_rows"),
                    totalsFunction("amcash_till_totals_deleted", rows: "SELECT -1 AS sign, * FROM old_rows"),
                    """
                    CREATE TRIGGER terminal_rows_totals_inserted AFTER INSERT ON terminal_rows REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION amcash_till_totals_inserted()
                    """,
                    """
                    CREATE TRIGGER terminal_rows_totals_updated AFTER UPDATE ON terminal_rows REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION amcash_till_totals_updated()
                    """,
                    """
                    CREATE TRIGGER terminal_rows_totals_deleted AFTER DELETE ON terminal_rows REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION amcash_till_totals_deleted()
                    """,
                    // The rows already there.
                    """
                    INSERT INTO till_hour_totals (reconciliation_day, store, device, sponsor, hour, redemptions, redeemed_cents,
                        reversals, reversed_cents, voids, voided_cents)
                    SELECT reconciliation_day, store, device, sponsor, hour,
                        count(*) FILTER (WHERE kind = 'REDEEM'), COALESCE(sum(worth) FILTER (WHERE kind = 'REDEEM'), 0),
                        count(*) FILTER (WHERE kind = 'REVERSE' AND NOT is_void), COALESCE(sum(worth) FILTER (WHERE kind = 'REVERSE' AND NOT is_void), 0),
                        count(*) FILTER (WHERE kind = 'REVERSE' AND is_void), COALESCE(sum(worth) FILTER (WHERE kind = 'REVERSE' AND is_void), 0)
                    FROM (
                        SELECT r.reconciliation_day, r.store, r.device, r.sponsor, r.kind, r.is_void,
                            extract(hour FROM r.created_at AT TIME ZONE 'America/Toronto')::smallint AS hour,
                            CASE WHEN r.kind = 'REDEEM' THEN r.cents
                                 ELSE COALESCE(r.cents, (SELECT o.cents FROM terminal_rows o
                                     WHERE o.kind = 'REDEEM' AND o.confirmation_number = r.original_confirmation_number LIMIT 1)) END AS worth
                        FROM terminal_rows r
                        WHERE (r.kind = 'REDEEM' AND r.state IN ('approved', 'shown', 'reversing', 'reversed', 'voiding', 'voided'))
                            OR (r.kind = 'REVERSE' AND r.state IN ('reversed', 'voided'))
                    ) counted
                    GROUP BY 1, 2, 3, 4, 5
                    """,
                ]),
            .init(
                version: 5, name: "the store register's sale id forwarded with its rows",
                statements: [
                    // The register's own id of the sale (journal version 7): up to 36 characters, no control characters.
                    "ALTER TABLE terminal_rows ADD COLUMN sale_id text CHECK (length(sale_id) BETWEEN 1 AND 36 AND sale_id !~ '[[:cntrl:]]')"
                ]),
            .init(
                version: 6, name: "each till's earnings (ISSUE and RETURN) forwarded",
                statements: [
                    """
                    CREATE TABLE terminal_earnings (
                        sponsor text NOT NULL,
                        store text NOT NULL,
                        device text NOT NULL,
                        trace_id text NOT NULL,
                        kind text NOT NULL CHECK (kind IN ('ISSUE', 'RETURN')),
                        state text NOT NULL CHECK (state IN ('queued', 'accepted', 'issued', 'refused')),
                        card_masked text NOT NULL,
                        card_hash text,
                        card_number text,
                        checkout_transaction_id text NOT NULL,
                        original_checkout_transaction_id text,
                        earned_on_cents bigint,
                        attempts integer NOT NULL,
                        http_status integer,
                        response_code text,
                        confirmation_number text,
                        miles integer,
                        created_at timestamptz NOT NULL,
                        answered_at timestamptz,
                        transaction_day date NOT NULL,
                        last_failure text,
                        change_seq bigint NOT NULL,
                        forwarded_at timestamptz NOT NULL,
                        PRIMARY KEY (sponsor, store, device, trace_id)
                    )
                    """,
                    "CREATE INDEX terminal_earnings_by_day ON terminal_earnings (transaction_day, store)",
                    // The exception list: earnings not settled (pending, never answered) or refused.
                    "CREATE INDEX terminal_earnings_stuck ON terminal_earnings (store, created_at) WHERE state <> 'issued'",
                    "CREATE INDEX terminal_earnings_by_checkout ON terminal_earnings (checkout_transaction_id)",
                    "CREATE INDEX terminal_earnings_by_card_hash ON terminal_earnings (card_hash) WHERE card_hash IS NOT NULL",
                ]),
            .init(
                version: 7, name: "an earning in exception forwarded as an exception",
                statements: [
                    "ALTER TABLE terminal_earnings DROP CONSTRAINT terminal_earnings_state_check",
                    "ALTER TABLE terminal_earnings ADD CONSTRAINT terminal_earnings_state_check CHECK (state IN ('queued', 'accepted', 'issued', 'refused', 'exception'))",
                    // A version 6 database took a till's exception as queued; its last failure says which it was.
                    "UPDATE terminal_earnings SET state = 'exception' WHERE state = 'queued' AND last_failure LIKE 'may not have earned: ask AIR MILES%'",
                ]),
        ])

    /// A statement-level trigger function adding `rows` (each with its `sign`: -1 for a row as it was, 1 as it
    /// is) to `till_hour_totals` in one aggregated upsert per till and hour.
    static func totalsFunction(_ name: String, rows: String) -> String {
        """
        CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO till_hour_totals AS t (reconciliation_day, store, device, sponsor, hour, redemptions, redeemed_cents,
                reversals, reversed_cents, voids, voided_cents)
            SELECT reconciliation_day, store, device, sponsor, hour,
                COALESCE(sum(sign) FILTER (WHERE kind = 'REDEEM'), 0), COALESCE(sum(sign * worth) FILTER (WHERE kind = 'REDEEM'), 0),
                COALESCE(sum(sign) FILTER (WHERE kind = 'REVERSE' AND NOT is_void), 0),
                COALESCE(sum(sign * worth) FILTER (WHERE kind = 'REVERSE' AND NOT is_void), 0),
                COALESCE(sum(sign) FILTER (WHERE kind = 'REVERSE' AND is_void), 0),
                COALESCE(sum(sign * worth) FILTER (WHERE kind = 'REVERSE' AND is_void), 0)
            FROM (
                SELECT r.sign, r.reconciliation_day, r.store, r.device, r.sponsor, r.kind, r.is_void,
                    extract(hour FROM r.created_at AT TIME ZONE 'America/Toronto')::smallint AS hour,
                    CASE WHEN r.kind = 'REDEEM' THEN COALESCE(r.cents, 0)
                         ELSE COALESCE(r.cents, (SELECT o.cents FROM terminal_rows o
                             WHERE o.kind = 'REDEEM' AND o.confirmation_number = r.original_confirmation_number LIMIT 1), 0) END AS worth
                FROM (\(rows)) r
                WHERE (r.kind = 'REDEEM' AND r.state IN ('approved', 'shown', 'reversing', 'reversed', 'voiding', 'voided'))
                    OR (r.kind = 'REVERSE' AND r.state IN ('reversed', 'voided'))
            ) counted
            GROUP BY 1, 2, 3, 4, 5
            -- A till's hour whose rows all cancel out (updated, nothing counted changed) is not written.
            HAVING COALESCE(sum(sign) FILTER (WHERE kind = 'REDEEM'), 0) <> 0 OR COALESCE(sum(sign * worth) FILTER (WHERE kind = 'REDEEM'), 0) <> 0
                OR COALESCE(sum(sign) FILTER (WHERE kind = 'REVERSE' AND NOT is_void), 0) <> 0
                OR COALESCE(sum(sign * worth) FILTER (WHERE kind = 'REVERSE' AND NOT is_void), 0) <> 0
                OR COALESCE(sum(sign) FILTER (WHERE kind = 'REVERSE' AND is_void), 0) <> 0
                OR COALESCE(sum(sign * worth) FILTER (WHERE kind = 'REVERSE' AND is_void), 0) <> 0
            ON CONFLICT (reconciliation_day, store, device, sponsor, hour) DO UPDATE
            SET redemptions = t.redemptions + excluded.redemptions, redeemed_cents = t.redeemed_cents + excluded.redeemed_cents,
                reversals = t.reversals + excluded.reversals, reversed_cents = t.reversed_cents + excluded.reversed_cents,
                voids = t.voids + excluded.voids, voided_cents = t.voided_cents + excluded.voided_cents;
            RETURN NULL;
        END $$
        """
    }
}
