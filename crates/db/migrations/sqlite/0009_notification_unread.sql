-- Every page's navigation shows the account's unread notifications,
-- counted in the session lookup: only the unread ones are indexed.
CREATE INDEX notification_unread ON notification(user_id) WHERE read_at IS NULL;
