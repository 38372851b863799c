package invites_test

import (
	"testing"
)

func TestRetentionDropsOldPayloadsAndSessions(t *testing.T) {
	e := newEnv(t)
	e.exec(`
		INSERT INTO webhook_deliveries (svix_id, event_type, status, received_at, payload)
		SELECT 'msg_old_' || g, 'user.updated', 'processed', now() - interval '31 days', '{}'::bytea
		  FROM generate_series(1, 5) g
		UNION ALL
		SELECT 'msg_new_' || g, 'user.updated', 'processed', now() - interval '29 days', '{}'::bytea
		  FROM generate_series(1, 3) g`)
	e.exec(`INSERT INTO users (id) VALUES ('user_1')`)
	e.exec(`
		INSERT INTO sessions (id, user_id, status, ended_at)
		SELECT 'sess_old_' || g, 'user_1', 'ended', now() - interval '91 days'
		  FROM generate_series(1, 5) g
		UNION ALL
		SELECT 'sess_recent_' || g, 'user_1', 'revoked', now() - interval '89 days'
		  FROM generate_series(1, 2) g
		UNION ALL
		SELECT 'sess_live', 'user_1', 'active', NULL`)
	e.exec(`
		INSERT INTO audit_events (action, subject_type, subject_id, source)
		VALUES ('session.ended', 'session', 'sess_old_1', 'webhook')`)
	s := testSettings()
	s.BatchSize = 2 // several batches

	res := runOnce(t, e.cleaner(s, nil))

	if res.PayloadsPurged != 5 || res.SessionsPurged != 5 || !res.Complete {
		t.Errorf("result = %+v, want 5 payloads and 5 sessions purged", res)
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries`); n != 8 {
		t.Errorf("%d deliveries kept, want all 8", n)
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries
		WHERE payload IS NULL AND payload_dropped_at IS NOT NULL AND svix_id LIKE 'msg_old_%'`); n != 5 {
		t.Errorf("%d old payloads dropped, want 5", n)
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries WHERE payload IS NOT NULL`); n != 3 {
		t.Errorf("%d payloads kept, want the 3 recent ones", n)
	}
	if n := e.count(`SELECT count(*) FROM sessions WHERE id LIKE 'sess_old_%'`); n != 0 {
		t.Errorf("%d old ended sessions kept, want 0", n)
	}
	if n := e.count(`SELECT count(*) FROM sessions`); n != 3 {
		t.Errorf("%d sessions left, want the 2 recent and the live one", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_events`); n != 1 {
		t.Errorf("%d audit rows, want the 1 kept", n)
	}
}
