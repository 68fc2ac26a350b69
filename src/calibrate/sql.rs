//! The calibration's aggregation as portable SQL, for extracts that live in a
//! warehouse (`drgsim calibrate --emit-sql`), and the reader of its small
//! result table (`drgsim calibrate --from-aggregates`).
//!
//! The query computes exactly the sufficient statistics of the streaming passes
//! (`super::accumulate`), one result row per (hospital, group) cell, plus one
//! row per hospital for its ungrouped records (`grp` NULL):
//!
//! 1. `m`: per group, the count, sum and sum of squares of `LN(cost)` over the
//!    cases that enter the cost statistics (grouped, cost > 0, not special review);
//! 2. `b`: the trimming bounds `mu_g +- k s_g` with `s_g^2 = (S2 - S1^2/n)/(n - 1)`
//!    (CHS-DRG 权重测算: log-cost mean +- 3 SD; groups under 3 cases or with no
//!    spread untrimmed, see `super::trim::bounds`) and the shift `EXP(S1/n)`
//!    (the geometric mean, subtracted before summing squares for stability);
//! 3. the final `SELECT` joins each record to its group's bounds and sums per cell.
//!
//! Only SQL-92/SQL:2003 constructs are used: `WITH`, `CASE`, `LEFT JOIN`,
//! `GROUP BY`, `COUNT`/`SUM`/`MIN`, `CAST(... AS VARCHAR(n))`, `TRIM`, and the
//! SQL:2003 numeric functions `LN`, `EXP`, `SQRT` (no `STDDEV`, `PERCENTILE`,
//! `GREATEST`, `LOG` with engine-specific bases, or dialect casts). Identifiers
//! are quoted with `"..."` (SQL standard: PostgreSQL, DuckDB, SQLite, Trino) or
//! `` `...` `` (Spark SQL, Hive, MySQL).
//!
//! Differences from the streaming path, by construction: a hospital's name and
//! level are the smallest text among its records (the streaming path keeps the
//! first one seen), and percentile trimming is not offered (exact percentiles
//! need engine-specific functions).

use super::accumulate::{Accumulator, Cell};
use super::error::CalibrateError;
use super::fields::{level, number};
use super::mapping::{Field, Mapping};
use super::records::ScanInfo;
use super::trim::TrimRule;
use crate::population::bands::N_BANDS;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// How identifiers are quoted in the emitted SQL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Quote {
    /// `"name"`: the SQL standard (PostgreSQL, DuckDB, SQLite, Trino, Oracle).
    #[default]
    Double,
    /// `` `name` ``: Spark SQL, Hive, MySQL.
    Backtick,
}

impl Quote {
    /// Quotes one identifier, doubling an embedded quote character.
    pub fn ident(self, name: &str) -> String {
        match self {
            Quote::Double => format!("\"{}\"", name.replace('"', "\"\"")),
            Quote::Backtick => format!("`{}`", name.replace('`', "``")),
        }
    }

    /// Quotes a table name, each dot-separated part on its own (`db.table`).
    pub fn table(self, name: &str) -> String {
        name.split('.')
            .map(|p| self.ident(p))
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// Columns of the result table, in order; `age_00` .. `age_17` (cases by
/// five-year band, 85+ last) follow.
pub const RESULT_COLUMNS: [&str; 24] = [
    "hospital",
    "grp",
    "hospital_name",
    "level",
    "group_name",
    "mdc",
    "records",
    "ungrouped",
    "nonpositive",
    "n_all",
    "n_special",
    "sum_cost_all",
    "n_low",
    "n_high",
    "n_t",
    "shift",
    "cost_t",
    "sum_d",
    "sumsq_d",
    "fund_paid",
    "fund_cost",
    "los_sum",
    "los_n",
    "age_missing",
];

fn age_column(b: usize) -> String {
    format!("age_{b:02}")
}

/// Header of the result table.
pub fn result_header() -> Vec<String> {
    let mut h: Vec<String> = RESULT_COLUMNS.iter().map(|s| s.to_string()).collect();
    h.extend((0..N_BANDS).map(age_column));
    h
}

/// Column of each field in the records table: the mapping's `[columns]` name,
/// else (with a sample `header`) the alias found in it, else for a required
/// field its first alias; optional fields neither mapped nor found are NULL.
fn columns(mapping: &Mapping, header: Option<&[String]>) -> BTreeMap<Field, String> {
    let mut out = BTreeMap::new();
    for f in Field::ALL {
        let name = if let Some(n) = mapping.columns.get(f.key()) {
            Some(n.clone())
        } else if let Some(h) = header {
            f.aliases().iter().find_map(|a| {
                h.iter()
                    .find(|c| c.trim().eq_ignore_ascii_case(a))
                    .map(|c| c.trim().to_string())
            })
        } else if f.required() {
            Some(f.aliases()[0].to_string())
        } else {
            None
        };
        if let Some(n) = name {
            out.insert(f, n);
        }
    }
    out
}

fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The aggregation query over table `table`.
///
/// `header`: the records' header (from a sample export), which decides which
/// optional columns exist; without it only the mapping's named columns and the
/// required fields' first aliases are used. Errors for percentile trimming.
pub fn emit(
    table: &str,
    mapping: &Mapping,
    header: Option<&[String]>,
    rule: TrimRule,
    quote: Quote,
) -> Result<String, CalibrateError> {
    let k = match rule {
        TrimRule::None => None,
        TrimRule::LogSd(k) => Some(k),
        TrimRule::Percentile { .. } => {
            return Err(CalibrateError::Option(
                "--emit-sql supports --trim log-sd:K and none: exact percentiles need engine-specific functions; calibrate the records with the streaming path for percentile trimming".into(),
            ));
        }
    };
    let cols = columns(mapping, header);
    let q = |s: &str| quote.ident(s);
    let col = |f: Field| cols.get(&f).map(|c| q(c));
    let text = |f: Field, n: u32| {
        col(f)
            .map(|c| format!("TRIM(CAST({c} AS VARCHAR({n})))"))
            .unwrap_or_else(|| "CAST(NULL AS VARCHAR(8))".into())
    };
    let num = |f: Field| {
        col(f)
            .map(|c| c.to_string())
            .unwrap_or_else(|| "CAST(NULL AS DOUBLE PRECISION)".into())
    };
    let ungrouped: Vec<String> = mapping
        .ungrouped
        .iter()
        .map(|s| literal(s.trim()))
        .chain(std::iter::once("''".to_string()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let grp = text(Field::Group, 64);
    let special = match col(Field::SpecialReview) {
        Some(c) => format!(
            "CASE WHEN TRIM(CAST({c} AS VARCHAR(16))) IN ('1', '是', 'Y', 'y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 't', 'T') THEN 1 ELSE 0 END"
        ),
        None => "0".into(),
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "-- drgsim calibrate --emit-sql: group and hospital sums of the case-level records in {table},"
    );
    let _ = writeln!(
        s,
        "-- trimmed per group on ln(cost) ({}). Save the result (a few rows per hospital and group)",
        rule.describe()
    );
    let _ = writeln!(
        s,
        "-- as CSV with its header and give it to `drgsim calibrate --from-aggregates FILE --out DIR`."
    );
    let _ = writeln!(
        s,
        "-- Portable SQL:2003 (LN, EXP, SQRT, CASE, WITH): PostgreSQL, DuckDB, SQLite >= 3.35 with math functions, Spark SQL, Hive, Trino."
    );
    let _ = writeln!(s, "WITH r AS (\n  SELECT");
    let _ = writeln!(s, "    {} AS {},", text(Field::Hospital, 64), q("hospital"));
    let _ = writeln!(
        s,
        "    {} AS {},",
        text(Field::HospitalName, 200),
        q("hospital_name")
    );
    let _ = writeln!(s, "    {} AS {},", text(Field::Level, 32), q("level"));
    let _ = writeln!(
        s,
        "    CASE WHEN {grp} IS NULL OR {grp} IN ({}) THEN NULL ELSE {grp} END AS {},",
        ungrouped.join(", "),
        q("grp")
    );
    let _ = writeln!(
        s,
        "    {} AS {},",
        text(Field::GroupName, 200),
        q("group_name")
    );
    let _ = writeln!(s, "    {} AS {},", text(Field::Mdc, 32), q("mdc"));
    let _ = writeln!(s, "    {} AS {},", num(Field::Cost), q("cost"));
    let _ = writeln!(s, "    {} AS {},", num(Field::Age), q("age"));
    let _ = writeln!(s, "    {} AS {},", num(Field::FundPaid), q("fund_paid"));
    let _ = writeln!(s, "    {} AS {},", num(Field::Los), q("los"));
    let _ = writeln!(s, "    {special} AS {}", q("special"));
    let _ = writeln!(s, "  FROM {}\n),", quote.table(table));
    let (grp, cost, spec) = (q("grp"), q("cost"), q("special"));
    let _ = writeln!(
        s,
        "m AS (\n  SELECT {grp}, COUNT(*) AS {n}, SUM(LN({cost})) AS {s1}, SUM(LN({cost}) * LN({cost})) AS {s2}\n  FROM r\n  WHERE {grp} IS NOT NULL AND {cost} > 0 AND {spec} = 0\n  GROUP BY {grp}\n),",
        n = q("n"),
        s1 = q("s1"),
        s2 = q("s2"),
    );
    let (n, s1, s2) = (q("n"), q("s1"), q("s2"));
    let var = format!("({s2} - {s1} * {s1} / {n}) / ({n} - 1)");
    let (lo, hi) = match k {
        Some(k) => (
            format!(
                "CASE WHEN {n} >= 3 AND {var} > 1e-24 THEN {s1} / {n} - {k:?} * SQRT({var}) END"
            ),
            format!(
                "CASE WHEN {n} >= 3 AND {var} > 1e-24 THEN {s1} / {n} + {k:?} * SQRT({var}) END"
            ),
        ),
        None => (
            "CAST(NULL AS DOUBLE PRECISION)".into(),
            "CAST(NULL AS DOUBLE PRECISION)".into(),
        ),
    };
    let _ = writeln!(
        s,
        "b AS (\n  SELECT {grp}, EXP({s1} / {n}) AS {shift},\n    {lo} AS {lo_q},\n    {hi} AS {hi_q}\n  FROM m\n),",
        shift = q("shift"),
        lo_q = q("lo"),
        hi_q = q("hi"),
    );
    let r = |c: &str| format!("r.{}", q(c));
    let _ = writeln!(
        s,
        "t AS (\n  SELECT {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, b.{shift} AS {shift},",
        r("hospital"),
        r("hospital_name"),
        r("level"),
        r("grp"),
        r("group_name"),
        r("mdc"),
        r("cost"),
        r("age"),
        r("fund_paid"),
        r("los"),
        r("special"),
        shift = q("shift"),
    );
    let _ = writeln!(
        s,
        "    CASE WHEN {rg} IS NULL OR {rc} <= 0 OR {rs} = 1 THEN NULL\n         WHEN b.{lo} IS NULL THEN 0\n         WHEN LN({rc}) < b.{lo} THEN -1\n         WHEN LN({rc}) > b.{hi} THEN 1\n         ELSE 0 END AS {side}\n  FROM r LEFT JOIN b ON {rg} = b.{grp}\n)",
        rg = r("grp"),
        rc = r("cost"),
        rs = r("special"),
        lo = q("lo"),
        hi = q("hi"),
        side = q("side"),
    );
    let ok = format!("{grp} IS NOT NULL AND {cost} > 0");
    let side = q("side");
    let shift = q("shift");
    let count = |cond: &str| format!("SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)");
    let sum = |cond: &str, v: &str| format!("SUM(CASE WHEN {cond} THEN {v} ELSE 0 END)");
    let mut sel: Vec<(String, String)> = vec![
        (q("hospital"), "hospital".into()),
        (grp.clone(), "grp".into()),
        (
            format!("MIN({})", q("hospital_name")),
            "hospital_name".into(),
        ),
        (format!("MIN({})", q("level")), "level".into()),
        (format!("MIN({})", q("group_name")), "group_name".into()),
        (format!("MIN({})", q("mdc")), "mdc".into()),
        ("COUNT(*)".into(), "records".into()),
        (count(&format!("{grp} IS NULL")), "ungrouped".into()),
        (
            count(&format!("{grp} IS NOT NULL AND {cost} <= 0")),
            "nonpositive".into(),
        ),
        (count(&ok), "n_all".into()),
        (count(&format!("{ok} AND {spec} = 1")), "n_special".into()),
        (sum(&ok, &cost), "sum_cost_all".into()),
        (count(&format!("{side} = -1")), "n_low".into()),
        (count(&format!("{side} = 1")), "n_high".into()),
        (count(&format!("{side} = 0")), "n_t".into()),
        (format!("MIN({shift})"), "shift".into()),
        (sum(&format!("{side} = 0"), &cost), "cost_t".into()),
        (
            sum(&format!("{side} = 0"), &format!("{cost} - {shift}")),
            "sum_d".into(),
        ),
        (
            sum(
                &format!("{side} = 0"),
                &format!("({cost} - {shift}) * ({cost} - {shift})"),
            ),
            "sumsq_d".into(),
        ),
        (
            sum(
                &format!("{ok} AND {} IS NOT NULL", q("fund_paid")),
                &q("fund_paid"),
            ),
            "fund_paid".into(),
        ),
        (
            sum(&format!("{ok} AND {} IS NOT NULL", q("fund_paid")), &cost),
            "fund_cost".into(),
        ),
        (
            sum(&format!("{ok} AND {} IS NOT NULL", q("los")), &q("los")),
            "los_sum".into(),
        ),
        (
            count(&format!("{ok} AND {} IS NOT NULL", q("los"))),
            "los_n".into(),
        ),
        (
            count(&format!("{ok} AND {} IS NULL", q("age"))),
            "age_missing".into(),
        ),
    ];
    let age = q("age");
    for b in 0..N_BANDS {
        let cond = if b + 1 == N_BANDS {
            format!("{ok} AND {age} >= {}", 5 * b)
        } else {
            format!("{ok} AND {age} >= {} AND {age} < {}", 5 * b, 5 * b + 5)
        };
        sel.push((count(&cond), age_column(b)));
    }
    let _ = writeln!(s, "SELECT");
    let n_sel = sel.len();
    for (i, (expr, alias)) in sel.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {expr} AS {}{}",
            q(alias),
            if i + 1 < n_sel { "," } else { "" }
        );
    }
    let _ = writeln!(
        s,
        "FROM t\nGROUP BY {h}, {grp}\nORDER BY {h}, {grp};",
        h = q("hospital")
    );
    Ok(s)
}

/// Reads the result table of [`emit`] (CSV with its header, UTF-8; empty = NULL)
/// into the accumulator the streaming passes would have built.
///
/// `known`: valid group codes (an unknown code is an error naming the row).
pub fn read_aggregates(
    path: &Path,
    known: Option<&std::collections::HashSet<String>>,
) -> Result<Accumulator, CalibrateError> {
    let err =
        |row: u64, col: Option<&str>, msg: String| CalibrateError::record(path, row, col, msg);
    let file = std::fs::File::open(path).map_err(|source| CalibrateError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(std::io::BufReader::new(file));
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| err(1, None, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    if header.iter().all(|h| h.is_empty()) {
        return Err(err(
            0,
            None,
            "the file is empty; save the result of `drgsim calibrate --emit-sql` as CSV with its header".into(),
        ));
    }
    let want = result_header();
    let mut idx = BTreeMap::new();
    for w in &want {
        let Some(i) = header.iter().position(|h| h == w) else {
            return Err(err(
                1,
                Some(w),
                format!(
                    "column `{w}` of the --emit-sql result is missing (the header has: {}); save the query's full result",
                    header.join(", ")
                ),
            ));
        };
        idx.insert(w.as_str(), i);
    }
    let mut acc = Accumulator::default();
    let mut rows = 0u64;
    let mut unknown_levels = 0u64;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            err(line, None, format!("cannot read the row: {e}"))
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(rows + 2);
        rows += 1;
        let get = |c: &str| rec[idx[c]].trim();
        let opt = |c: &str| Some(get(c)).filter(|t| !t.is_empty() && *t != "NULL");
        let num = |c: &str| -> Result<f64, CalibrateError> {
            match opt(c) {
                None => Ok(0.0),
                Some(t) => number(t.as_bytes()).ok_or_else(|| {
                    err(
                        line,
                        Some(c),
                        format!("`{t}` is not a number; the column holds a sum"),
                    )
                }),
            }
        };
        let count = |c: &str| -> Result<u64, CalibrateError> {
            let v = num(c)?;
            if v < 0.0 || v.fract() != 0.0 {
                return Err(err(
                    line,
                    Some(c),
                    format!("`{v}` is not a count (a whole number, 0 or more)"),
                ));
            }
            Ok(v as u64)
        };
        let Some(hospital) = opt("hospital") else {
            return Err(err(
                line,
                Some("hospital"),
                "the hospital id is empty; every row is one hospital's (records with no hospital id cannot be paid)".into(),
            ));
        };
        let records = count("records")?;
        let ungrouped = count("ungrouped")?;
        acc.records += records;
        acc.ungrouped += ungrouped;
        acc.nonpositive_cost += count("nonpositive")?;
        let hi = acc.hospital_index(hospital);
        let lv = opt("level");
        {
            let h = &mut acc.hospitals[hi];
            h.ungrouped += ungrouped;
            if h.name.is_none() {
                h.name = opt("hospital_name").map(str::to_string);
            }
            let parsed = lv.and_then(level);
            if lv.is_some() && parsed.is_none() {
                unknown_levels += records;
            }
            match (h.level, parsed) {
                (None, Some(l)) => h.level = Some(l),
                (Some(a), Some(b)) if a != b => h.level_conflicts += records,
                _ => {}
            }
        }
        let Some(code) = opt("grp") else {
            continue;
        };
        if let Some(k) = known
            && !k.contains(code)
        {
            return Err(err(
                line,
                Some("grp"),
                format!(
                    "unknown group code `{code}`: it is not in the group list; check the grouper version or the list"
                ),
            ));
        }
        let n_all = count("n_all")?;
        if n_all == 0 {
            continue;
        }
        let n_special = count("n_special")?;
        let (n_low, n_high, n_t) = (count("n_low")?, count("n_high")?, count("n_t")?);
        if n_special + n_low + n_high + n_t != n_all {
            return Err(err(
                line,
                Some("n_all"),
                format!(
                    "n_all {n_all} is not n_special + n_low + n_high + n_t ({n_special} + {n_low} + {n_high} + {n_t}); the result was altered or truncated"
                ),
            ));
        }
        let gi = acc.group_index(code);
        let mut ages = [0u64; N_BANDS];
        for (b, a) in ages.iter_mut().enumerate() {
            *a = count(&age_column(b))?;
        }
        let shift = num("shift")?;
        let (cost_t, sum_d, sumsq_d) = (num("cost_t")?, num("sum_d")?, num("sumsq_d")?);
        acc.age_missing += count("age_missing")?;
        acc.fund_paid.0 += num("fund_paid")?;
        acc.fund_paid.1 += num("fund_cost")?;
        acc.los.0 += num("los_sum")?;
        acc.los.1 += count("los_n")?;
        let g = &mut acc.groups[gi];
        if g.name.is_none() {
            g.name = opt("group_name").map(str::to_string);
        }
        if g.mdc.is_none() {
            g.mdc = opt("mdc").map(str::to_string);
        }
        if n_t > 0 {
            g.shift = shift;
        }
        g.n_all += n_all;
        g.n_special += n_special;
        g.n += n_all - n_special;
        g.sum_cost_all += num("sum_cost_all")?;
        g.n_low += n_low;
        g.n_high += n_high;
        g.n_t += n_t;
        g.sum_d += sum_d;
        g.sumsq_d += sumsq_d;
        for (t, a) in g.age.iter_mut().zip(ages) {
            *t += a;
        }
        let ci = acc.cell_index(hi as u32, gi as u32);
        let cell = &mut acc.cells[ci].1;
        *cell = Cell {
            n: cell.n + n_all,
            n_drg: cell.n_drg + n_all - n_special,
            n_t: cell.n_t + n_t,
            cost_t: cell.cost_t + cost_t,
        };
    }
    if rows == 0 {
        return Err(err(
            0,
            None,
            "the file has a header but no rows; the query found no records".into(),
        ));
    }
    acc.unknown_levels = unknown_levels;
    acc.files.push((
        path.to_path_buf(),
        ScanInfo {
            records: acc.records,
            columns: BTreeMap::new(),
            header,
            encoding: super::mapping::Encoding::Utf8,
            unknown_levels,
        },
    ));
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_the_quote_character() {
        assert_eq!(Quote::Double.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Quote::Backtick.table("db.t"), "`db`.`t`");
    }

    #[test]
    fn percentile_trimming_is_refused_with_advice() {
        let e = emit(
            "t",
            &Mapping::default(),
            None,
            TrimRule::Percentile { lo: 1.0, hi: 99.0 },
            Quote::Double,
        )
        .unwrap_err();
        assert!(e.to_string().contains("log-sd"), "{e}");
    }

    #[test]
    fn no_engine_specific_functions() {
        let s = emit(
            "records",
            &Mapping::default(),
            None,
            TrimRule::LogSd(3.0),
            Quote::Double,
        )
        .unwrap();
        for f in [
            "STDDEV",
            "PERCENTILE",
            "GREATEST",
            "LEAST",
            "IIF",
            "IFNULL",
            "NVL",
            "::",
            "LOG(",
            "POW(",
        ] {
            assert!(!s.to_uppercase().contains(f), "{f} in\n{s}");
        }
        for h in result_header() {
            assert!(s.contains(&format!("AS \"{h}\"")), "{h} missing");
        }
    }
}
