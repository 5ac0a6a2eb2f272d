//! Generated documents for benchmarks and load tests: a register of
//! received Party documents with Vietnamese subjects and bodies, written in
//! batches straight into `document` and its search index.
//!
//! The same seed gives the same documents on a fresh database; on one that
//! already holds documents, numbers continue after the largest of each
//! series, so the identity (issuer, type, term, number) stays unique.
//!
//! Citations are not recorded: the bodies cite symbols picked at random,
//! so the citation graph would be noise, and resolving them against the
//! register is the per-document path's cost, not what the generated
//! register is for (sizing the register and its search).
use std::collections::{HashMap, hash_map::Entry};
use std::time::Instant;

use serde_json::json;
use trienkhai_core::{Code, fmt, term, text};

use super::{kind, number_key, search::indexed, symbol};
use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    counter, now_ms,
};

#[derive(Clone, Copy, Debug)]
pub struct GenStats {
    pub documents: u64,
    pub seconds: f64,
}

impl GenStats {
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.documents as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Documents a transaction: one INSERT for the rows, one for their index
/// entries. 13 values a row; SQLite takes at most 32.766 a statement.
const BATCH: usize = 2000;
const COLUMNS: usize = 13;
const _: () = assert!(BATCH * COLUMNS <= 32_766);

/// Writes `count` documents; `progress` is told the running total after
/// each committed batch. The run is audited once, in its first batch.
pub async fn documents(
    db: &Db,
    actor: &Actor,
    count: u64,
    seed: u64,
    progress: impl FnMut(u64),
) -> DbResult<GenStats> {
    documents_by(db, actor, count, seed, BATCH, progress).await
}

async fn documents_by(
    db: &Db,
    actor: &Actor,
    count: u64,
    seed: u64,
    batch: usize,
    mut progress: impl FnMut(u64),
) -> DbResult<GenStats> {
    let start = Instant::now();
    let maker = Generator::new(seed, count, taken(db).await?);
    // The next batch is made on another thread while this one is written:
    // SQLite's worker is busy most of a run, and the machine has two cores.
    let (send, mut batches) = tokio::sync::mpsc::channel::<Vec<Doc>>(1);
    let making = tokio::task::spawn_blocking(move || {
        let mut maker = maker;
        let mut from = 0;
        while from < count {
            let n = (count - from).min(batch as u64);
            let docs = (from..from + n).map(|i| maker.doc(i)).collect();
            if send.blocking_send(docs).is_err() {
                return;
            }
            from += n;
        }
    });
    let written = write(db, actor, count, seed, &mut batches, &mut progress).await;
    // Stops the maker if the writes stopped early.
    drop(batches);
    let made = making.await;
    let written = written?;
    made.map_err(|e| DbError::Other(anyhow::anyhow!("sinh dữ liệu dừng giữa chừng: {e}")))?;
    // Statistics from before the load made the planner hash-join every
    // match of a common word and sort them for the newest 20 (0,6 s at
    // 100.000 documents) instead of walking the newest first (0,4 ms).
    crate::pool::settle(db, "document, document_fts").await?;
    Ok(GenStats {
        documents: written,
        seconds: start.elapsed().as_secs_f64(),
    })
}

async fn write(
    db: &Db,
    actor: &Actor,
    count: u64,
    seed: u64,
    batches: &mut tokio::sync::mpsc::Receiver<Vec<Doc>>,
    progress: &mut impl FnMut(u64),
) -> DbResult<u64> {
    let mut names: HashMap<(&'static str, &'static str), String> = HashMap::new();
    let mut done = 0u64;
    while let Some(docs) = batches.recv().await {
        let n = docs.len();
        let mut tx = db.begin().await?;
        let cache = tune(&mut tx).await?;
        for d in &docs {
            let era = regulation(&d.issued_on);
            if let Entry::Vacant(e) = names.entry((d.type_code, era)) {
                let name = kind::name_in(&mut tx, "party", d.type_code, None, Some(&d.issued_on))
                    .await?
                    .ok_or_else(|| DbError::field("type_code", Code::UnknownDocType))?;
                e.insert(name);
            }
        }
        let ids = insert(&mut tx, &docs, &names).await?;
        let issuers: Vec<&str> = docs.iter().map(|d| d.issuer).collect();
        super::keep_issuers(&mut tx, &issuers).await?;
        index(&mut tx, &docs, &ids).await?;
        counter::add(&mut tx, counter::DOCUMENTS, n as i64).await?;
        if done == 0 {
            audit::record(
                &mut tx,
                actor,
                Change {
                    action: "create",
                    entity: "document",
                    entity_id: ids.first().map(|id| id.to_string()),
                    summary: format!(
                        "Sinh {} văn bản thử (seed {seed}), từ số thứ tự {}",
                        fmt::int(count as i64),
                        ids.first().copied().unwrap_or_default()
                    ),
                    before: None,
                    after: Some(json!({ "documents": count, "seed": seed })),
                },
            )
            .await?;
        }
        untune(&mut tx, cache).await?;
        tx.commit().await?;
        done += n as u64;
        progress(done);
    }
    Ok(done)
}

/// SQLite page cache for a batch's transaction, KiB. A batch dirties about
/// 16 MiB (rows, their index entries, and FTS5 merging its segments); with
/// the default 2 MiB, pages spilled to the WAL mid-transaction and were
/// read back: 64 MiB took a 100.000-document run from 23 s to 20 s.
const SQLITE_CACHE_KIB: i64 = 64 * 1024;

/// Returns the connection's cache size, to put back before the commit.
async fn tune(tx: &mut Tx) -> DbResult<Option<i64>> {
    let Tx::Sqlite(t, ..) = tx else {
        return Ok(None);
    };
    let (was,): (i64,) = sqlx::query_as("PRAGMA cache_size")
        .fetch_one(&mut **t)
        .await?;
    let sql = format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut **t)
        .await?;
    Ok(Some(was))
}

async fn untune(tx: &mut Tx, was: Option<i64>) -> DbResult<()> {
    if let (Tx::Sqlite(t, ..), Some(was)) = (tx, was) {
        let sql = format!("PRAGMA cache_size = {was}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// The Party regulation in force on a date, as a cache key for type names.
fn regulation(iso: &str) -> &'static str {
    if iso < "2017-02-06" {
        "31"
    } else if iso < "2026-01-09" {
        "66"
    } else {
        "399"
    }
}

/// The largest number already on file per (issuer, type, term).
type Taken = HashMap<(String, String, String), u64>;

async fn taken(db: &Db) -> DbResult<Taken> {
    let rows: Vec<(String, String, String, String)> = with_db!(db, p => sqlx::query_as(
        "SELECT issuer_code, type_code, term_key, number_key FROM document")
        .fetch_all(p).await)?;
    let mut out = Taken::new();
    for (issuer, kind, term, key) in rows {
        if let Ok(n) = key.parse::<u64>() {
            let e = out.entry((issuer, kind, term)).or_default();
            *e = (*e).max(n);
        }
    }
    Ok(out)
}

/// One generated document, with its index text.
struct Doc {
    issuer: &'static str,
    type_code: &'static str,
    number: String,
    symbol: String,
    issued_on: String,
    term_key: String,
    body: &'static str,
    subject: String,
    content: String,
    secrecy: &'static str,
    folded: String,
    exact: String,
}

async fn insert(
    tx: &mut Tx,
    docs: &[Doc],
    names: &HashMap<(&'static str, &'static str), String>,
) -> DbResult<Vec<i64>> {
    let now = now_ms();
    let sql = format!(
        "INSERT INTO document (system, direction, created_at, updated_at, issuer_code, type_code,
            number, number_key, symbol, issued_on, term_key, body, subject, subject_fold,
            type_name, content, secrecy)
         VALUES {} RETURNING id, symbol, term_key",
        values(tx, docs.len(), COLUMNS, |p| {
            format!("('party', 'in', {now}, {now}, {})", p.join(", "))
        })
    );
    // The body is expanded once per engine, so each binds its own types.
    let rows: Vec<(i64, String, String)> = with_tx!(tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
        for d in docs {
            let type_name = &names[&(d.type_code, regulation(&d.issued_on))];
            q = q
                .bind(d.issuer)
                .bind(d.type_code)
                .bind(&d.number)
                .bind(number_key(&d.number))
                .bind(&d.symbol)
                .bind(&d.issued_on)
                .bind(&d.term_key)
                .bind(d.body)
                .bind(&d.subject)
                .bind(text::fold(&d.subject))
                .bind(type_name.as_str())
                .bind(&d.content)
                .bind(d.secrecy);
        }
        q.fetch_all(&mut *c).await
    })?;
    // RETURNING promises no order: map rows back by symbol and term.
    let at: HashMap<(&str, &str), usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| ((d.symbol.as_str(), d.term_key.as_str()), i))
        .collect();
    let mut ids = vec![0i64; docs.len()];
    for (id, sym, term) in &rows {
        ids[at[&(sym.as_str(), term.as_str())]] = *id;
    }
    Ok(ids)
}

/// The index entries, as `search::index_in` writes them for a document
/// without attachments (a test checks that the two agree).
async fn index(tx: &mut Tx, docs: &[Doc], ids: &[i64]) -> DbResult<()> {
    let sql = match tx {
        Tx::Sqlite(..) => format!(
            "INSERT INTO document_fts (rowid, folded, exact) VALUES {}",
            values(tx, docs.len(), 3, |p| format!("({})", p.join(", ")))
        ),
        Tx::Postgres(..) => format!(
            "INSERT INTO document_fts (document_id, folded, exact) VALUES {}",
            values(tx, docs.len(), 3, |p| {
                format!(
                    "({}, to_tsvector('simple', {}), to_tsvector('simple', {}))",
                    p[0], p[1], p[2]
                )
            })
        ),
    };
    with_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for (d, id) in docs.iter().zip(ids) {
            q = q.bind(*id).bind(&d.folded).bind(&d.exact);
        }
        q.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// `rows` groups of `width` placeholders, each group shaped by `row`.
/// SQLite gets anonymous "?" (sqlx looks up every numbered parameter's
/// name while binding, quadratic in a batch); PostgreSQL "$n".
fn values(tx: &Tx, rows: usize, width: usize, row: impl Fn(&[String]) -> String) -> String {
    let pg = matches!(tx, Tx::Postgres(..));
    let mut out = String::with_capacity(rows * width * 6);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        let params: Vec<String> = (0..width)
            .map(|_| {
                n += 1;
                if pg { format!("${n}") } else { "?".into() }
            })
            .collect();
        out.push_str(&row(&params));
    }
    out
}

/// SplitMix64: small, and the same sequence on every platform and version.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, i: u64) -> Rng {
        let mut r = Rng(seed ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }

    fn weighted<T: Copy>(&mut self, xs: &[(T, usize)]) -> T {
        let total: usize = xs.iter().map(|x| x.1).sum();
        let mut r = self.below(total);
        for &(x, w) in xs {
            if r < w {
                return x;
            }
            r -= w;
        }
        xs[0].0
    }
}

/// Party issuers: central bodies number by khóa, local ones by term.
const ISSUERS: [(&str, usize); 14] = [
    ("TW", 14),
    ("VPTW", 3),
    ("BTCTW", 3),
    ("BTGTW", 3),
    ("UBKTTW", 2),
    ("BDVTW", 2),
    ("TU", 20),
    ("BTCTU", 6),
    ("BTGTU", 6),
    ("UBKTTU", 4),
    ("HU", 12),
    ("ĐUK", 12),
    ("ĐU", 10),
    ("QU", 3),
];

const TYPES: [(&str, usize); 10] = [
    ("NQ", 7),
    ("CT", 4),
    ("KL", 5),
    ("KH", 18),
    ("BC", 18),
    ("TB", 10),
    ("HD", 8),
    ("CTr", 6),
    ("CV", 19),
    ("QĐ", 5),
];

/// Documents the bodies cite, weighted towards a few much-cited ones.
const CITED: [(&str, &str, &str); 16] = [
    ("Nghị quyết", "12-NQ/TW", "Ban Chấp hành Trung ương"),
    ("Nghị quyết", "35-NQ/TW", "Bộ Chính trị"),
    ("Nghị quyết", "04-NQ/TW", "Ban Chấp hành Trung ương"),
    ("Nghị quyết", "18-NQ/TW", "Ban Chấp hành Trung ương"),
    ("Nghị quyết", "21-NQ/TW", "Ban Chấp hành Trung ương"),
    ("Nghị quyết", "57-NQ/TW", "Bộ Chính trị"),
    ("Chỉ thị", "05-CT/TW", "Bộ Chính trị"),
    ("Chỉ thị", "35-CT/TW", "Bộ Chính trị"),
    ("Chỉ thị", "27-CT/TW", "Bộ Chính trị"),
    ("Chỉ thị", "28-CT/TW", "Ban Bí thư"),
    ("Kết luận", "01-KL/TW", "Bộ Chính trị"),
    ("Kết luận", "21-KL/TW", "Ban Chấp hành Trung ương"),
    ("Kết luận", "102-KL/TW", "Bộ Chính trị"),
    ("Quy định", "37-QĐ/TW", "Ban Chấp hành Trung ương"),
    ("Quy định", "08-QĐi/TW", "Ban Chấp hành Trung ương"),
    ("Hướng dẫn", "36-HD/VPTW", "Văn phòng Trung ương Đảng"),
];

const TOPICS: [&str; 40] = [
    "xây dựng, chỉnh đốn Đảng và hệ thống chính trị trong sạch, vững mạnh",
    "đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "công tác phát triển đảng viên",
    "bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch",
    "phòng, chống tham nhũng, lãng phí, tiêu cực",
    "công tác cán bộ và quản lý cán bộ",
    "sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, hoạt động hiệu lực, hiệu quả",
    "xây dựng nông thôn mới",
    "chuyển đổi số trong các cơ quan đảng",
    "công tác kiểm tra, giám sát và thi hành kỷ luật đảng",
    "công tác dân vận trong tình hình mới",
    "phát triển kinh tế tập thể, hợp tác xã",
    "bảo đảm quốc phòng, an ninh và trật tự, an toàn xã hội",
    "phòng, chống thiên tai, tìm kiếm cứu nạn",
    "giảm nghèo bền vững",
    "phát triển văn hóa, con người Việt Nam",
    "công tác tuyên truyền, giáo dục lý luận chính trị",
    "thực hành tiết kiệm, chống lãng phí",
    "công tác thi đua, khen thưởng",
    "tăng cường khối đại đoàn kết toàn dân tộc",
    "công tác bảo vệ chính trị nội bộ",
    "nâng cao năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng",
    "công tác thanh niên",
    "công tác phụ nữ và bình đẳng giới",
    "bảo vệ môi trường và ứng phó với biến đổi khí hậu",
    "phát triển giáo dục và đào tạo",
    "bảo vệ, chăm sóc và nâng cao sức khỏe nhân dân",
    "đẩy mạnh cải cách hành chính",
    "thu hút đầu tư và phát triển doanh nghiệp",
    "phát triển du lịch cộng đồng",
    "quản lý, sử dụng đất đai",
    "công tác đối ngoại nhân dân",
    "phát huy quyền làm chủ của nhân dân, thực hiện dân chủ ở cơ sở",
    "công tác văn thư, lưu trữ của Đảng",
    "công tác tài chính đảng",
    "công tác bảo vệ bí mật nhà nước",
    "xây dựng đội ngũ cán bộ các cấp, nhất là cấp chiến lược",
    "tổ chức đại hội đảng bộ các cấp",
    "công tác quần chúng của Đảng",
];

const ORGS: [&str; 18] = [
    "Ban Thường vụ Tỉnh ủy",
    "Ban Chấp hành Đảng bộ tỉnh",
    "Thường trực Tỉnh ủy",
    "Đảng ủy Khối",
    "Ban Thường vụ Đảng ủy Khối",
    "Ban Thường vụ Đảng uỷ Khối",
    "các huyện ủy, thành ủy",
    "Đảng ủy các xã, phường, thị trấn",
    "các chi bộ trực thuộc",
    "các tổ chức cơ sở đảng",
    "Ủy ban Kiểm tra Tỉnh ủy",
    "Ban Tổ chức Tỉnh ủy",
    "Ban Tuyên giáo Tỉnh ủy",
    "Ban Dân vận Tỉnh ủy",
    "Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội",
    "Ban cán sự đảng Ủy ban nhân dân tỉnh",
    "Đảng ủy Quân sự tỉnh",
    "Đảng ủy Công an tỉnh",
];

const PEOPLE: [&str; 10] = [
    "cán bộ, đảng viên",
    "cán bộ chủ chốt",
    "đảng viên mới",
    "cán bộ, đảng viên và nhân dân",
    "đoàn viên, hội viên",
    "người đứng đầu cấp ủy",
    "bí thư chi bộ",
    "cấp ủy viên các cấp",
    "quần chúng ưu tú",
    "cán bộ, công chức, viên chức",
];

const PLACES: [(&str, usize); 16] = [
    ("tỉnh Hòa Bình", 10),
    ("tỉnh Hoà Bình", 4),
    ("thành phố Hòa Bình", 4),
    ("huyện Mai Châu", 3),
    ("huyện Đà Bắc", 3),
    ("huyện Lạc Sơn", 3),
    ("huyện Kim Bôi", 3),
    ("huyện Tân Lạc", 3),
    ("huyện Cao Phong", 3),
    ("huyện Lương Sơn", 3),
    ("huyện Yên Thủy", 2),
    ("huyện Lạc Thủy", 2),
    ("thành phố Huế", 4),
    ("tỉnh Thừa Thiên Huế", 4),
    ("Thủ đô Hà Nội", 4),
    ("vùng đồng bào dân tộc thiểu số", 5),
];

const VERBS: [&str; 16] = [
    "quán triệt",
    "triển khai",
    "thực hiện",
    "tổ chức thực hiện",
    "kiểm tra",
    "giám sát",
    "đôn đốc",
    "chỉ đạo",
    "tuyên truyền",
    "sơ kết",
    "tổng kết",
    "rà soát",
    "đánh giá",
    "cụ thể hóa",
    "cụ thể hoá",
    "lãnh đạo",
];

/// Rare phrases for selective queries: in 100.000 documents, about 270
/// carry each of the first twenty and 60 each of the last ten.
const RARE: [&str; 30] = [
    "khảm trai",
    "chè Shan tuyết",
    "cam Cao Phong",
    "mía tím",
    "thổ cẩm Mường",
    "nhà sàn dân tộc Thái",
    "lễ hội Khai hạ",
    "măng tre Bát Độ",
    "ong mật bạc hà",
    "lúa nếp cẩm",
    "cây dược liệu dưới tán rừng",
    "rừng phòng hộ đầu nguồn",
    "lòng hồ thủy điện",
    "lũ quét, sạt lở đất",
    "cầu treo dân sinh",
    "bò sữa",
    "cá lồng",
    "xuồng cứu hộ",
    "điểm trường lẻ",
    "nước sạch nông thôn",
    "cồng chiêng",
    "mo Mường",
    "xòe Thái",
    "gà đồi",
    "rau an toàn",
    "xã Pà Cò",
    "xã Hang Kia",
    "bản Lác",
    "trống đồng",
    "đàn đá",
];

const HEADINGS: [[&str; 3]; 3] = [
    [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NỘI DUNG",
        "III. TỔ CHỨC THỰC HIỆN",
    ],
    [
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
        "II. HẠN CHẾ, NGUYÊN NHÂN",
        "III. NHIỆM VỤ, GIẢI PHÁP THỜI GIAN TỚI",
    ],
    [
        "1. Tình hình chung",
        "2. Nhiệm vụ trọng tâm",
        "3. Trách nhiệm thực hiện",
    ],
];

/// Body sentences; {o} an organisation, {v} a verb, {t} a topic, {p}
/// people, {l} a place, {d} a cited document, {n} a count, {r} a percentage,
/// {y} the year, {o2} and {t2} second ones.
const SENTENCES: [&str; 24] = [
    "{O} {v} {d} đến toàn thể {p}.",
    "Các cấp ủy, tổ chức đảng tập trung lãnh đạo, chỉ đạo {t}, gắn với {t2}.",
    "Tỷ lệ {p} tham gia học tập đạt {r}%.",
    "Đã tổ chức {n} hội nghị quán triệt cho hơn {n2} lượt {p}.",
    "Trong thời gian tới, {o} tiếp tục {v} có hiệu quả {d}.",
    "Kết quả thực hiện {t} ở {l} có chuyển biến tích cực.",
    "Tuy nhiên, việc {v} ở một số chi bộ còn hình thức, chưa sát với thực tiễn.",
    "Nguyên nhân chủ yếu là nhận thức của một bộ phận {p} về {t} chưa đầy đủ.",
    "Giao {o} chủ trì, phối hợp với {o2} theo dõi, đôn đốc và báo cáo kết quả trước ngày {date}.",
    "Văn phòng cấp ủy tổng hợp tình hình, tham mưu sơ kết vào quý {q} năm {y}.",
    "{O} yêu cầu người đứng đầu trực tiếp chỉ đạo và chịu trách nhiệm về {t}.",
    "Kinh phí thực hiện được bố trí từ ngân sách và các nguồn huy động hợp pháp khác.",
    "Việc học tập, quán triệt phải nghiêm túc, thiết thực, tránh hình thức, lãng phí.",
    "Các địa phương, nhất là {l}, chủ động xây dựng chương trình, kế hoạch cụ thể để {v}.",
    "Đến nay có {r}% chi bộ hoàn thành tốt nhiệm vụ; {n} quần chúng ưu tú được kết nạp vào Đảng.",
    "Kịp thời biểu dương tập thể, cá nhân có thành tích; xử lý nghiêm các trường hợp vi phạm.",
    "Nghiên cứu, quán triệt sâu sắc quan điểm, mục tiêu, nhiệm vụ và giải pháp của {d}.",
    "Mỗi đảng viên xây dựng kế hoạch cá nhân, gắn với việc thực hiện nhiệm vụ được giao.",
    "{O} đã {v} {t} đến {n} chi bộ, đảng bộ cơ sở trên địa bàn {l}.",
    "Công tác phối hợp giữa {o} và {o2} có lúc chưa chặt chẽ.",
    "Đảng ủy, chi ủy định kỳ hằng quý nghe báo cáo, kịp thời tháo gỡ khó khăn, vướng mắc.",
    "Chú trọng phát huy vai trò tiên phong, gương mẫu của cán bộ, đảng viên, trước hết là {p}.",
    "Thực hiện {d}, {o} ban hành kế hoạch với {n} nhiệm vụ cụ thể.",
    "Sau {n} năm thực hiện, {t} đạt được nhiều kết quả quan trọng.",
];

const RARE_SENTENCES: [&str; 3] = [
    "Quan tâm phát triển {x} ở {l}, gắn với {t}.",
    "Chỉ đạo kiểm tra, hỗ trợ {x} tại {l}.",
    "Khuyến khích các hợp tác xã đầu tư vào {x}.",
];

/// The days the generated register spans, oldest first.
const FIRST_DAY: (i32, u8, u8) = (2010, 1, 4);
const LAST_DAY: (i32, u8, u8) = (2026, 12, 28);

struct Generator {
    seed: u64,
    count: u64,
    first: i32,
    days: i64,
    /// Last number given per (issuer, type, term).
    last: HashMap<(&'static str, &'static str, String), u64>,
    taken: Taken,
    forms: Forms,
}

fn julian((y, m, d): (i32, u8, u8)) -> i32 {
    time::Month::try_from(m)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(y, m, d).ok())
        .map(|d| d.to_julian_day())
        .unwrap_or_default()
}

impl Generator {
    fn new(seed: u64, count: u64, taken: Taken) -> Generator {
        let first = julian(FIRST_DAY);
        Generator {
            seed,
            count,
            first,
            days: i64::from(julian(LAST_DAY) - first + 1),
            last: HashMap::new(),
            taken,
            forms: Forms::default(),
        }
    }

    /// Document `i` of the run; dates rise with `i`, as a register grows.
    fn doc(&mut self, i: u64) -> Doc {
        let mut r = Rng::new(self.seed, i);
        let day = (i as i64 * self.days / self.count.max(1) as i64) as i32;
        let date = time::Date::from_julian_day(self.first + day).unwrap_or(time::Date::MIN);
        let issued_on = fmt::iso(date);
        let issuer = r.weighted(&ISSUERS);
        let type_code = r.weighted(&TYPES);
        let term_key = term::key("party", issuer, &issued_on);
        let key = (issuer, type_code, term_key.clone());
        let number = match self.last.get_mut(&key) {
            Some(n) => {
                *n += 1;
                *n
            }
            None => {
                let owned = (issuer.to_string(), type_code.to_string(), term_key.clone());
                let n = self.taken.get(&owned).copied().unwrap_or(0) + 1;
                self.last.insert(key, n);
                n
            }
        };
        let number = format!("{number:02}");
        let symbol = symbol("party", &number, type_code, issuer);
        let body = match type_code {
            "NQ" if r.chance(500) => "BCH",
            "NQ" | "CT" | "KL" => "BTV",
            "TB" => "TT",
            _ => "",
        };
        let secrecy = match r.below(1000) {
            0..=24 => "Mật",
            25..=29 => "Tối mật",
            _ => "",
        };
        let year = date.year();
        let subject = subject(&mut r, type_code, year);
        let body_text = content(&mut r, &mut self.forms, type_code, year);
        let mut folded = indexed(&text::fold(&symbol));
        push_words(&mut folded, &indexed(&text::fold(&subject)));
        push_words(&mut folded, &body_text.folded);
        let mut exact = indexed(&text::exact(&symbol));
        push_words(&mut exact, &indexed(&text::exact(&subject)));
        push_words(&mut exact, &body_text.exact);
        Doc {
            issuer,
            type_code,
            number,
            symbol,
            issued_on,
            term_key,
            body,
            folded,
            exact,
            subject,
            content: body_text.plain,
            secrecy,
        }
    }
}

/// A cited document; the first three are about half of all citations.
fn cited_parts(r: &mut Rng) -> (&'static str, &'static str, &'static str) {
    if r.chance(500) {
        CITED[r.below(3)]
    } else {
        r.pick(&CITED)
    }
}

fn cited(r: &mut Rng) -> String {
    let (kind, sym, by) = cited_parts(r);
    format!("{kind} số {sym} của {by}")
}

fn subject(r: &mut Rng, type_code: &str, year: i32) -> String {
    let t = r.pick(&TOPICS);
    match (type_code, r.below(3)) {
        ("KH", 0) => format!("Kế hoạch học tập, quán triệt {} về {t}", cited(r)),
        ("KH", 1) => format!("Học tập, quán triệt và triển khai thực hiện {}", cited(r)),
        ("KH", _) => format!("Kế hoạch thực hiện {t} năm {year}"),
        ("BC", 0) => format!(
            "Báo cáo sơ kết {} năm thực hiện {}",
            1 + r.below(5),
            cited(r)
        ),
        ("BC", 1) => format!("Báo cáo tổng kết {t} năm {year}"),
        ("BC", _) => format!("Kết quả học tập, quán triệt {}", cited(r)),
        ("NQ" | "CT", 0) => format!("Về tăng cường {t}"),
        ("NQ" | "CT", 1) => format!("Về tiếp tục thực hiện {}", cited(r)),
        ("KL", _) | ("NQ" | "CT", _) => format!("Về {t}"),
        ("TB", 0) => format!("Thông báo kết luận của {} về {t}", r.pick(&ORGS[..5])),
        ("TB", _) => format!("Ý kiến của Thường trực về {t}"),
        ("HD", 0) => format!("Hướng dẫn thực hiện {}", cited(r)),
        ("HD", _) => format!("Hướng dẫn {t}"),
        ("CTr", 0) => format!("Chương trình hành động thực hiện {}", cited(r)),
        ("CTr", _) => format!("Chương trình kiểm tra, giám sát năm {year}"),
        ("QĐ", 0) => format!("Quyết định thành lập Ban Chỉ đạo {t}"),
        ("QĐ", _) => format!(
            "Quyết định ban hành Quy chế làm việc của {}",
            r.pick(&ORGS[..5])
        ),
        (_, 0) => format!("Về việc {} {t}", r.pick(&VERBS)),
        _ => format!("V/v triển khai {t} trên địa bàn {}", r.weighted(&PLACES)),
    }
}

/// Text built piece by piece with its index words alongside (folded and
/// exact). Pieces come from a small vocabulary, so each distinct one is
/// folded and split once per run rather than once per document (that was
/// most of a run's time). Pieces meet at spaces and punctuation, where the
/// words of the whole are those of the pieces in turn; a test checks the
/// result against folding and splitting the whole document.
#[derive(Default)]
struct Text {
    plain: String,
    folded: String,
    exact: String,
    chars: usize,
}

/// Folded words, exact words and length in characters of each piece seen.
#[derive(Default)]
struct Forms(HashMap<String, (String, String, usize)>);

fn push_words(out: &mut String, ws: &str) {
    if ws.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(ws);
}

impl Text {
    fn push(&mut self, forms: &mut Forms, s: &str) {
        if !forms.0.contains_key(s) {
            let f = (
                indexed(&text::fold(s)),
                indexed(&text::exact(s)),
                s.chars().count(),
            );
            forms.0.insert(s.to_string(), f);
        }
        let (folded, exact, chars) = &forms.0[s];
        self.plain.push_str(s);
        push_words(&mut self.folded, folded);
        push_words(&mut self.exact, exact);
        self.chars += chars;
    }
}

/// Section headings and sentences until 600–1.500 characters.
fn content(r: &mut Rng, forms: &mut Forms, type_code: &str, year: i32) -> Text {
    let target = 600 + r.below(900);
    let heads = match type_code {
        "BC" => HEADINGS[1],
        "KH" | "HD" | "CTr" => HEADINGS[0],
        _ => HEADINGS[2],
    };
    let mut out = Text::default();
    let mut section = 0;
    let rare_at = if r.chance(60) { Some(r.below(8)) } else { None };
    let mut k = 0;
    while out.chars < target {
        if k % 3 == 0 && section < heads.len() {
            if k > 0 {
                out.push(forms, "\n");
            }
            out.push(forms, heads[section]);
            out.push(forms, "\n");
            section += 1;
        } else {
            out.push(forms, " ");
        }
        let template = if rare_at == Some(k) {
            r.pick(&RARE_SENTENCES)
        } else {
            r.pick(&SENTENCES)
        };
        fill(r, forms, &mut out, template, year);
        k += 1;
    }
    out
}

fn fill(r: &mut Rng, forms: &mut Forms, out: &mut Text, template: &'static str, year: i32) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push(forms, &rest[..open]);
        let close = open + rest[open..].find('}').unwrap_or(0);
        let slot = &rest[open + 1..close];
        let mut put = |s: &str| out.push(forms, s);
        match slot {
            "O" => {
                let o = r.pick(&ORGS);
                let mut cs = o.chars();
                let first: String = cs
                    .next()
                    .map(|c| c.to_uppercase().collect())
                    .unwrap_or_default();
                put(&format!("{first}{}", cs.as_str()));
            }
            "o" | "o2" => put(r.pick(&ORGS)),
            "v" => put(r.pick(&VERBS)),
            "t" | "t2" => put(r.pick(&TOPICS)),
            "p" => put(r.pick(&PEOPLE)),
            "l" => put(r.weighted(&PLACES)),
            "d" => {
                let (kind, sym, by) = cited_parts(r);
                for s in [kind, " số ", sym, " của ", by] {
                    put(s);
                }
            }
            // One in ten from the rarer last third.
            "x" if r.chance(100) => put(r.pick(&RARE[20..])),
            "x" => put(r.pick(&RARE[..20])),
            "n" => put(&(2 + r.below(40)).to_string()),
            "n2" => put(&fmt::int(100 + r.below(9900) as i64)),
            "r" => put(&(60 + r.below(40)).to_string()),
            "q" => put(["I", "II", "III", "IV"][r.below(4)]),
            "y" => put(&year.to_string()),
            "date" => put(&format!(
                "{:02}/{:02}/{year}",
                1 + r.below(28),
                1 + r.below(12)
            )),
            _ => put(slot),
        }
        rest = &rest[close + 1..];
    }
    out.push(forms, rest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::search;

    #[test]
    fn documents_are_clean_and_parse() {
        let mut g = Generator::new(7, 5000, Taken::new());
        let mut rare = 0;
        for i in 0..5000 {
            let d = g.doc(i);
            assert_eq!(text::clean(&d.subject), d.subject, "{}", d.subject);
            assert_eq!(text::clean_block(&d.content), d.content);
            let n = d.content.chars().count();
            assert!((600..1800).contains(&n), "{n} chars");
            let c = trienkhai_core::cite::parse_symbol(&d.symbol).expect("symbol parses");
            assert_eq!(c.kind, d.type_code);
            assert_eq!(c.issuer.as_deref(), Some(d.issuer));
            rare += usize::from(RARE.iter().any(|w| d.content.contains(w)));
            // Built piece by piece, the index text is that of the whole.
            let all = format!("{}\n{}\n{}", d.symbol, d.subject, d.content);
            assert_eq!(d.folded, indexed(&text::fold(&all)));
            assert_eq!(d.exact, indexed(&text::exact(&all)));
        }
        // About 6% of documents carry one rare phrase.
        assert!((200..400).contains(&rare), "{rare}");
        // The same seed, the same documents.
        let again = Generator::new(7, 5000, Taken::new()).doc(0);
        assert_eq!(
            again.content,
            Generator::new(7, 5000, Taken::new()).doc(0).content
        );
    }

    async fn story(db: Db) {
        let actor = Actor::system("Sinh dữ liệu");
        let mut seen = Vec::new();
        let s = documents_by(&db, &actor, 450, 3, 200, |n| seen.push(n))
            .await
            .expect("generate");
        assert_eq!(seen, [200, 400, 450]);
        assert_eq!(s.documents, 450);
        // A second run continues each series instead of colliding.
        documents_by(&db, &actor, 120, 3, 200, |_| {})
            .await
            .expect("second run");
        let counters = counter::all(&db).await.expect("counters");
        assert_eq!(counters.get(counter::DOCUMENTS), Some(&570));
        let recount = counter::recount(&db).await.expect("recount");
        assert_eq!(recount.get(counter::DOCUMENTS), Some(&570));
        let audits: Vec<(i64,)> = with_db!(&db, p => sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'document'").fetch_all(p).await)
        .expect("audit");
        assert_eq!(audits[0].0, 2);
        // The register's issuers, kept as batches are written, equal a recount.
        let codes: Vec<(String,)> = with_db!(&db, p => sqlx::query_as(
            "SELECT DISTINCT issuer_code FROM document ORDER BY issuer_code").fetch_all(p).await)
        .expect("codes");
        let codes: Vec<String> = codes.into_iter().map(|c| c.0).collect();
        assert!(codes.len() > 1, "{codes:?}");
        assert_eq!(crate::document::issuers(&db).await.expect("issuers"), codes);
        // The bulk index entries equal what the per-document path writes.
        let ids: Vec<(i64,)> = with_db!(&db, p => sqlx::query_as(
            "SELECT id FROM document ORDER BY id").fetch_all(p).await)
        .expect("ids");
        let before = fts_rows(&db).await;
        let mut tx = db.begin().await.expect("begin");
        for (id,) in ids.iter().step_by(7) {
            search::index_in(&mut tx, *id).await.expect("index");
        }
        tx.commit().await.expect("commit");
        assert_eq!(before, fts_rows(&db).await);
        let hits = search::search(&db, "quán triệt", true, 20)
            .await
            .expect("search");
        assert_eq!(hits.len(), 20);
        let hits = search::search(&db, "hoa binh", true, 20)
            .await
            .expect("search");
        assert!(!hits.is_empty());
    }

    async fn fts_rows(db: &Db) -> Vec<(i64, String, String)> {
        match db {
            Db::Sqlite(p, ..) => {
                sqlx::query_as("SELECT rowid, folded, exact FROM document_fts ORDER BY rowid")
                    .fetch_all(p)
                    .await
                    .expect("fts")
            }
            Db::Postgres(p, _) => sqlx::query_as(
                "SELECT document_id, folded::text, exact::text FROM document_fts
                 ORDER BY document_id",
            )
            .fetch_all(p)
            .await
            .expect("fts"),
        }
    }

    fn unique(prefix: &str) -> String {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("{prefix}{}_{t}", std::process::id())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let dir = std::env::temp_dir().join(unique("trienkhai-gen-"));
        let url = format!("sqlite://{}/t.db", dir.display());
        let db = crate::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        story(db.clone()).await;
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Needs PostgreSQL, as the integration tests do (TRIENKHAI_TEST_PG).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let admin = std::env::var("TRIENKHAI_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = unique("tk_gen_");
        let pool = sqlx::PgPool::connect(&admin).await.expect("PostgreSQL");
        let create = format!("CREATE DATABASE {name}");
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&pool)
            .await
            .expect("create database");
        let url = match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => admin.clone(),
        };
        let db = crate::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        story(db.clone()).await;
        db.close().await;
        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&pool).await;
    }
}
