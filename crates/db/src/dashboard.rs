//! The dashboard's panels in one statement: every panel is a few rows, and
//! one UNION ALL of a common text shape is one round trip on PostgreSQL
//! rather than six. Rows are sorted here.
use crate::{Db, DbResult};

pub struct Panels {
    /// (name, type name) of the unit; None when it does not exist.
    pub header: Option<(String, String)>,
    /// The kept totals (see `counter`), by key.
    pub totals: std::collections::HashMap<String, i64>,
    /// (title, full name)
    pub leaders: Vec<(String, String)>,
    /// (name, type name, id)
    pub children: Vec<(String, String, i64)>,
    /// Newest in the register first: (symbol, ISO date or "", subject)
    pub documents: Vec<(String, String, String)>,
    /// (unix ms, actor, summary)
    pub recent: Vec<(i64, String, String)>,
}

const SQL: &str = "
    SELECT 'h' AS kind, u.name AS a, t.name AS b, '' AS c, u.id AS n
    FROM unit u JOIN unit_type t ON t.code = u.type_code WHERE u.id = $1
    UNION ALL
    SELECT 't', key, '', '', value FROM counter
    UNION ALL
    SELECT 'l', ps.title,
           p.family_name || CASE WHEN p.middle_name = '' THEN '' ELSE ' ' || p.middle_name END || ' ' || p.given_name,
           '', ps.id
    FROM position ps JOIN person p ON p.id = ps.person_id
    WHERE ps.unit_id = $1 AND ps.valid_from <= $2 AND (ps.valid_to IS NULL OR ps.valid_to >= $2)
    UNION ALL
    SELECT 'u', v.name, t.name, '', u.id
    FROM unit_version v JOIN unit u ON u.id = v.unit_id JOIN unit_type t ON t.code = u.type_code
    WHERE v.parent_id = $1 AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to >= $2)
    UNION ALL
    SELECT * FROM (SELECT 'd', symbol, COALESCE(issued_on, ''), subject, id FROM document
                   ORDER BY id DESC LIMIT 5) d  -- literal: see pool::limit
    UNION ALL
    SELECT * FROM (SELECT 'a', actor, summary, '', at FROM audit_log WHERE $3 ORDER BY id DESC LIMIT 5) r";

pub async fn panels(db: &Db, unit_id: i64, as_of: &str, with_recent: bool) -> DbResult<Panels> {
    let rows: Vec<(String, String, String, String, i64)> =
        crate::read::all(db, SQL, &[unit_id.into(), as_of.into(), with_recent.into()]).await?;
    let mut header = None;
    let mut totals = std::collections::HashMap::new();
    let mut leaders = Vec::new();
    let mut children = Vec::new();
    let mut documents = Vec::new();
    let mut recent = Vec::new();
    for (kind, a, b, c, n) in rows {
        match kind.as_str() {
            "h" => header = Some((a, b)),
            "t" => {
                totals.insert(a, n);
            }
            "l" => leaders.push((n, a, b)),
            "u" => children.push((a, n, b)),
            "d" => documents.push((b, n, a, c)),
            _ => recent.push((n, a, b)),
        }
    }
    leaders.sort_by_key(|l| l.0);
    children.sort_by(|x, y| trienkhai_core::collate::compare_vi(&x.0, &y.0).then(x.1.cmp(&y.1)));
    documents.sort_by_key(|d| std::cmp::Reverse(d.1));
    recent.sort_by_key(|r| std::cmp::Reverse(r.0));
    Ok(Panels {
        header,
        totals,
        leaders: leaders.into_iter().map(|(_, t, n)| (t, n)).collect(),
        children: children.into_iter().map(|(n, id, t)| (n, t, id)).collect(),
        documents: documents
            .into_iter()
            .map(|(d, _, s, subj)| (s, d, subj))
            .collect(),
        recent,
    })
}
