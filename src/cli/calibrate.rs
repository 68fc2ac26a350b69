//! `drgsim calibrate`: group and hospital tables from case-level records.

use anyhow::Result;
use clap::Args;
use drgsim::calibrate::{self, Encoding, Mapping, Options, TrimRule};
use drgsim::payment::Level;
use drgsim::report::{OutputDir, OutputPolicy, check_output};
use std::path::PathBuf;

/// `drgsim calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Case-level record files (CSV, UTF-8 or GB18030), read as one data set.
    /// With --emit-sql, an optional sample export whose header decides the columns.
    #[arg(required_unless_present_any = ["emit_sql", "from_aggregates"])]
    pub records: Vec<PathBuf>,
    /// Output directory: groups.csv, hospitals.csv, hospital_groups.csv, calibrate.md.
    #[arg(long, required_unless_present = "emit_sql")]
    pub out: Option<PathBuf>,
    /// Print the aggregation as portable SQL (for records in a warehouse) instead
    /// of reading records; run it and give its result to --from-aggregates.
    #[arg(long, conflicts_with_all = ["from_aggregates", "out"])]
    pub emit_sql: bool,
    /// --emit-sql: the records table (`db.table` allowed).
    #[arg(long, default_value = "records", requires = "emit_sql")]
    pub table: String,
    /// --emit-sql: identifier quoting, `double` ("x": PostgreSQL, DuckDB, SQLite,
    /// Trino) or `backtick` (`x`: Spark SQL, Hive, MySQL).
    #[arg(long, value_enum, default_value = "double", requires = "emit_sql")]
    pub sql_quote: calibrate::sql::Quote,
    /// Calibrate from the result of the --emit-sql query (CSV with its header)
    /// instead of case-level records.
    #[arg(long, value_name = "FILE", conflicts_with = "records")]
    pub from_aggregates: Option<PathBuf>,
    /// Write into an output folder that holds other files: drgsim adds its
    /// files (replacing files of the same name) and deletes nothing.
    #[arg(long)]
    pub force: bool,
    /// Column mapping (TOML); without it the usual Chinese and English headers are recognised.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Text encoding (overrides the mapping's).
    #[arg(long, value_enum)]
    pub encoding: Option<Encoding>,
    /// Outlier trimming per group: log-sd:K (CHS-DRG: 3), percentile:LO,HI or none.
    #[arg(long, default_value = "log-sd:3")]
    pub trim: TrimRule,
    /// Rescale the weights so the regional CMI is 1.
    #[arg(long)]
    pub rescale_cmi: bool,
    /// Propose excluding groups with fewer cases after trimming.
    #[arg(long, default_value_t = 5)]
    pub min_cases: u64,
    /// Propose excluding groups with a higher coefficient of variation.
    #[arg(long, default_value_t = 1.0)]
    pub max_cv: f64,
    /// DRG budget, 万元: report the base rate and point value that pay it.
    #[arg(long, value_name = "WAN")]
    pub budget: Option<f64>,
    /// Valid group codes (a group table CSV or one code per line): other codes are errors.
    #[arg(long)]
    pub group_list: Option<PathBuf>,
    /// Demand file (`band, cases, cost_per_case`) whose age mix is used when records carry no age.
    #[arg(long)]
    pub age_profile: Option<PathBuf>,
    /// Level of hospitals whose records give none.
    #[arg(long, default_value = "secondary", value_parser = parse_level)]
    pub default_level: Level,
}

fn parse_level(s: &str) -> Result<Level, String> {
    Level::parse(s).ok_or_else(|| format!("level `{s}`: use tertiary, secondary or primary"))
}

/// Runs the calibration and writes the outputs atomically (nothing on error).
pub fn calibrate(a: &CalibrateArgs) -> Result<()> {
    let mut mapping = match &a.mapping {
        Some(p) => Mapping::load(p)?,
        None => Mapping::default(),
    };
    if let Some(e) = a.encoding {
        mapping.encoding = e;
    }
    if a.emit_sql {
        let header = match a.records.first() {
            Some(p) => Some(calibrate::header(p, &mapping)?),
            None => None,
        };
        if let Some(h) = &header {
            // The same check as the streaming path: required columns present.
            mapping.resolve(&a.records[0], h)?;
        }
        print!(
            "{}",
            calibrate::sql::emit(&a.table, &mapping, header.as_deref(), a.trim, a.sql_quote)?
        );
        return Ok(());
    }
    let Some(out_dir) = a.out.as_deref() else {
        anyhow::bail!("give --out DIR for the tables");
    };
    // The records' folders (and the mapping's) are never written into.
    let mut inputs: Vec<&std::path::Path> = a.records.iter().map(|p| p.as_path()).collect();
    inputs.extend(a.mapping.as_deref());
    inputs.extend(a.from_aggregates.as_deref());
    let policy = OutputPolicy::new(a.force, &inputs);
    check_output(out_dir, &policy)?;
    let known = a
        .group_list
        .as_deref()
        .map(calibrate::read_group_list)
        .transpose()?;
    let profile = match &a.age_profile {
        Some(p) => {
            let d = drgsim::payment::read_demand_csv(p).map_err(|e| anyhow::anyhow!("{e}"))?;
            let t: f64 = d.cases_by_band.iter().sum();
            if t <= 0.0 {
                anyhow::bail!(
                    "{}: the demand has no cases; give cases by band",
                    p.display()
                );
            }
            Some(d.cases_by_band.map(|c| c / t))
        }
        None => None,
    };
    let opts = Options {
        trim: a.trim,
        rescale_cmi: a.rescale_cmi,
        min_cases: a.min_cases,
        max_cv: a.max_cv,
        budget_wan: a.budget,
        default_level: a.default_level,
    };
    let c = match &a.from_aggregates {
        Some(f) => {
            if matches!(a.trim, TrimRule::Percentile { .. }) {
                anyhow::bail!(
                    "--trim is applied by the --emit-sql query (log-sd or none); give --from-aggregates without a percentile rule"
                );
            }
            calibrate::calibrate_aggregates(f, &opts, known.as_ref(), profile.as_ref())?
        }
        None => calibrate::calibrate(
            &a.records,
            &mapping,
            &opts,
            known.as_ref(),
            profile.as_ref(),
        )?,
    };
    for w in &c.tables.warnings {
        eprintln!("warning: {w}");
    }
    let out = OutputDir::create_with(out_dir, &policy)?;
    let p = out.path().to_path_buf();
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(p.join(name), bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.join(name).display()))
    };
    write("groups.csv", &calibrate::groups_csv(&c.tables))?;
    write("hospitals.csv", &calibrate::hospitals_csv(&c.tables))?;
    write("hospital_groups.csv", &calibrate::volumes_csv(&c.tables))?;
    write("calibrate.md", calibrate::markdown(&c).as_bytes())?;
    let dir = out.commit()?;
    let t = &c.tables;
    println!(
        "{} records: {} groups ({} proposed excluded), {} hospitals; RIV {:.1} %; CMI {:.4}{}",
        c.acc.records,
        t.groups.len(),
        t.groups.iter().filter(|g| g.excluded).count(),
        t.hospitals.len(),
        100.0 * t.riv.riv,
        t.cmi,
        match t.base_rate {
            Some(r) => format!("; base rate {r:.2} yuan pays the budget"),
            None => String::new(),
        }
    );
    println!("wrote {}", dir.display());
    Ok(())
}
