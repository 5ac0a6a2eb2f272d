//! The reminder job: every few minutes each instance sweeps for reminders
//! due today (the database decides which instance sends which, once) and
//! sends the e-mails it claimed from the outbox.
use std::time::Duration;

use trienkhai_core::fmt;
use trienkhai_db::{Db, campaign::reminder};

use crate::mail::Mailer;

/// One round: sweep, then send what this instance claims. Returns the
/// number of e-mails sent.
pub async fn run_once(db: &Db, mailer: Option<&Mailer>, who: &str) -> anyhow::Result<usize> {
    let swept = reminder::sweep(db, fmt::today_vn()).await?;
    if swept.reminders > 0 {
        tracing::info!(
            reminders = swept.reminders,
            notifications = swept.notifications,
            "đã gửi nhắc việc"
        );
    }
    let Some(mailer) = mailer else {
        return Ok(0);
    };
    let mut sent = 0;
    loop {
        let batch = reminder::claim_mail(db, who, 50).await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        for m in batch {
            match mailer.send(&m.address, &m.subject, &m.body).await {
                Ok(()) => {
                    reminder::mail_done(db, m.id, None).await?;
                    sent += 1;
                }
                Err(e) => {
                    // Handed back for the next round; the address is not logged.
                    tracing::warn!(error = %e, "chưa gửi được thư nhắc việc");
                    reminder::mail_done(db, m.id, Some(&format!("{e:#}"))).await?;
                    return Ok(sent);
                }
            }
        }
    }
}

/// Runs the job forever on this instance.
pub fn spawn(db: Db, mailer: Option<Mailer>, every: Duration) {
    let who = hex::encode(rand::random::<[u8; 8]>());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = run_once(&db, mailer.as_ref(), &who).await {
                tracing::warn!(error = %format!("{e:#}"), "việc nhắc hạn gặp lỗi");
            }
        }
    });
}
