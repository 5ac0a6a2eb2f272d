//! Reminders: secretaries hear of each deadline `remind_days` before it,
//! committee staff hear of units whose report is overdue. A reminder is a
//! row with a unique (obligation, kind): whichever instance inserts it
//! first sends it, so several instances on one PostgreSQL send each once.
use std::collections::BTreeMap;

use time::Date;
use trienkhai_core::fmt;

use crate::{Db, DbResult, Tx, now_ms};

/// The claim, all kinds in one statement; rows another instance already
/// inserted are skipped by the unique key (and waited for if uncommitted).
const CLAIM: &str = "INSERT INTO reminder (obligation_id, kind, claimed_at, batch)
    SELECT o.id, k.kind, $1, $2 FROM obligation o JOIN campaign c ON c.id = o.campaign_id
    JOIN (SELECT 'session' AS kind, 2 AS need UNION ALL SELECT 'programme', 3
          UNION ALL SELECT 'report', 4 UNION ALL SELECT 'overdue', 4) k ON o.state < k.need
    WHERE o.active AND c.locked_at IS NULL AND (
        (k.kind = 'session' AND c.session_remind <= $3 AND c.session_due >= $3)
     OR (k.kind = 'programme' AND c.programme_remind <= $3 AND c.programme_due >= $3)
     OR (k.kind = 'report' AND c.report_remind <= $3 AND c.report_due >= $3)
     OR (k.kind = 'overdue' AND c.report_due < $3))
    ON CONFLICT (obligation_id, kind) DO NOTHING";

#[derive(sqlx::FromRow)]
struct Claimed {
    obligation_id: i64,
    kind: String,
    campaign_id: i64,
    title: String,
    unit_name: String,
    due: String,
}

/// (user id, e-mail or "") of the accounts a claimed reminder goes to.
#[derive(sqlx::FromRow)]
struct Recipient {
    key: i64,
    user_id: i64,
    email: Option<String>,
}

fn step(kind: &str) -> &'static str {
    match kind {
        "session" => "tổ chức học tập, quán triệt",
        "programme" => "ban hành chương trình hành động",
        _ => "gửi báo cáo kết quả",
    }
}

/// What one sweep wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sweep {
    pub reminders: u64,
    pub notifications: u64,
    pub mails: u64,
}

/// Claims the reminders due on `today` and writes their notifications and
/// e-mails (to the outbox), all in one transaction.
pub async fn sweep(db: &Db, today: Date) -> DbResult<Sweep> {
    let batch = hex::encode(rand::random::<[u8; 12]>());
    let day = fmt::iso(today);
    let now = now_ms();
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, c => sqlx::query(CLAIM).bind(now).bind(&batch).bind(&day)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let mut out = Sweep {
        reminders: n,
        ..Default::default()
    };
    if n == 0 {
        tx.commit().await?;
        return Ok(out);
    }
    let claimed: Vec<Claimed> = with_tx!(&mut tx, c => sqlx::query_as(
        "SELECT r.obligation_id, r.kind, c.id AS campaign_id, c.title, u.name AS unit_name,
            CASE r.kind WHEN 'session' THEN c.session_due WHEN 'programme' THEN c.programme_due ELSE c.report_due END AS due
         FROM reminder r JOIN obligation o ON o.id = r.obligation_id JOIN campaign c ON c.id = o.campaign_id
         JOIN unit u ON u.id = o.unit_id WHERE r.batch = $1 ORDER BY r.id")
        .bind(&batch).fetch_all(&mut *c).await)?;
    let secretaries: Vec<Recipient> = with_tx!(&mut tx, c => sqlx::query_as(
        "SELECT r.obligation_id AS key, a.id AS user_id, p.email FROM reminder r
         JOIN obligation o ON o.id = r.obligation_id
         JOIN app_user a ON a.unit_id = o.unit_id AND a.role = 'secretary' AND NOT a.disabled
         LEFT JOIN person p ON p.id = a.person_id
         WHERE r.batch = $1 AND r.kind <> 'overdue'")
        .bind(&batch).fetch_all(&mut *c).await)?;
    let staff: Vec<Recipient> = with_tx!(&mut tx, c => sqlx::query_as(
        "SELECT CAST(0 AS BIGINT) AS key, a.id AS user_id, p.email FROM app_user a LEFT JOIN person p ON p.id = a.person_id
         WHERE a.role IN ('admin', 'staff') AND NOT a.disabled")
        .fetch_all(&mut *c).await)?;
    let mut notes: Vec<(i64, String, String, Option<String>)> = Vec::new();
    // Overdue units are summed per campaign: one line per account, not one per unit.
    let mut overdue: BTreeMap<i64, (String, u64)> = BTreeMap::new();
    for r in &claimed {
        if r.kind == "overdue" {
            overdue
                .entry(r.campaign_id)
                .or_insert((r.title.clone(), 0))
                .1 += 1;
            continue;
        }
        let text = format!(
            "Nhắc hạn: {} phải {} trước ngày {} (đợt \"{}\").",
            r.unit_name,
            step(&r.kind),
            fmt::date_text(Some(&r.due)),
            r.title
        );
        let link = format!("/obligations/{}", r.obligation_id);
        for s in secretaries.iter().filter(|s| s.key == r.obligation_id) {
            notes.push((s.user_id, text.clone(), link.clone(), s.email.clone()));
        }
    }
    for (campaign, (title, units)) in overdue {
        let text = format!(
            "Đợt \"{title}\": thêm {} đơn vị quá hạn báo cáo.",
            fmt::int(units as i64)
        );
        let link = format!("/campaigns/{campaign}?status=overdue");
        for s in &staff {
            notes.push((s.user_id, text.clone(), link.clone(), s.email.clone()));
        }
    }
    for (user, text, link, email) in &notes {
        notify_in(&mut tx, *user, text, link, now).await?;
        out.notifications += 1;
        if let Some(addr) = email.as_deref().filter(|a| a.contains('@')) {
            with_tx!(&mut tx, c => sqlx::query(
                "INSERT INTO mail_outbox (address, subject, body, created_at) VALUES ($1, $2, $3, $4)")
                .bind(addr).bind("Nhắc việc từ hệ thống Triển khai").bind(text).bind(now)
                .execute(&mut *c).await.map(|r| r.rows_affected()))?;
            out.mails += 1;
        }
    }
    tx.commit().await?;
    Ok(out)
}

async fn notify_in(tx: &mut Tx, user: i64, text: &str, link: &str, at: i64) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query("INSERT INTO notification (user_id, at, text, link) VALUES ($1, $2, $3, $4)")
        .bind(user).bind(at).bind(text).bind(link).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Mail {
    pub id: i64,
    pub address: String,
    pub subject: String,
    pub body: String,
}

/// Claims up to `limit` unsent e-mails for sender `who`. The repeated
/// `claimed_by IS NULL` makes a second instance skip rows the first took.
pub async fn claim_mail(db: &Db, who: &str, limit: i64) -> DbResult<Vec<Mail>> {
    let sql = format!(
        "UPDATE mail_outbox SET claimed_by = $1 WHERE claimed_by IS NULL AND id IN
           (SELECT id FROM mail_outbox WHERE claimed_by IS NULL AND sent_at IS NULL ORDER BY id LIMIT {})",
        crate::pool::limit(limit)
    );
    write_one!(db, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(who).execute(&mut *c).await.map(|r| r.rows_affected()));
    Ok(with_db!(db, p => sqlx::query_as::<_, Mail>(
        "SELECT id, address, subject, body FROM mail_outbox WHERE claimed_by = $1 AND sent_at IS NULL ORDER BY id")
        .bind(who).fetch_all(p).await)?)
}

/// Marks a claimed e-mail sent, or hands it back with the error for a retry.
pub async fn mail_done(db: &Db, id: i64, error: Option<&str>) -> DbResult<()> {
    let sql = match error {
        None => "UPDATE mail_outbox SET sent_at = $2, error = $3 WHERE id = $1",
        Some(_) => "UPDATE mail_outbox SET claimed_by = NULL, error = $3 WHERE id = $1 AND $2 > 0",
    };
    write_one!(db, c => sqlx::query(sql).bind(id).bind(now_ms()).bind(error).execute(&mut *c).await.map(|r| r.rows_affected()));
    Ok(())
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub at: i64,
    pub text: String,
    pub link: String,
    pub read_at: Option<i64>,
}

/// An account's notifications, newest first.
pub async fn notifications(db: &Db, user: i64) -> DbResult<Vec<Notification>> {
    crate::read::all(
        db,
        "SELECT id, at, text, link, read_at FROM notification WHERE user_id = $1 ORDER BY id DESC LIMIT 100",
        &[user.into()],
    )
    .await
}

/// What a page lists, newest first: the ten newest, or the unread ones
/// only. `unread` is what the session counted: when some were, those up to
/// the newest read here are marked read (beyond the ten too). With none,
/// a page of unread ones reads nothing and no page writes: one arriving
/// meanwhile stays unread for the next.
pub async fn for_page(
    db: &Db,
    user: i64,
    unread: i64,
    unread_only: bool,
) -> DbResult<Vec<Notification>> {
    if unread_only && unread == 0 {
        return Ok(vec![]);
    }
    let all = notifications(db, user).await?;
    if unread > 0
        && let Some(newest) = all.first()
    {
        mark_read(db, user, newest.id).await?;
    }
    Ok(all
        .into_iter()
        .filter(|n| !unread_only || n.read_at.is_none())
        .take(10)
        .collect())
}

/// Marks read the notifications up to `up_to`, the newest one the page
/// read: one that arrives while it renders stays unread for the next.
/// (On PostgreSQL two sweeping instances may commit ids out of order, so
/// a late-committed older id can still be marked unseen; it is rare and
/// narrower than marking all.)
pub async fn mark_read(db: &Db, user: i64, up_to: i64) -> DbResult<()> {
    write_one!(db, c => sqlx::query(
        "UPDATE notification SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL AND id <= $3")
        .bind(user).bind(now_ms()).bind(up_to).execute(&mut *c).await.map(|r| r.rows_affected()));
    Ok(())
}
