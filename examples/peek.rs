fn main() {
    let path = std::env::args().nth(1).unwrap();
    match drgsim::projection::Model::load(std::path::Path::new(&path), &[]) {
        Ok(m) => {
            let p = drgsim::projection::project(&m);
            for f in &p.funds {
                for r in &f.rows {
                    println!(
                        "{} {} mem={:.0} 60+={:.3} u20={:.3} rev={:.1} exp={:.1} pooled={:.1} bal={:.1} months={:.2} {} cases={:.0} ar={:.2}",
                        f.id,
                        r.year,
                        r.members,
                        r.members_60plus_share,
                        r.members_under20_share,
                        r.revenue_wan,
                        r.expenditure_wan,
                        r.pooled_expenditure_wan,
                        r.balance_wan,
                        r.months_payable,
                        r.status,
                        r.inpatient_cases,
                        r.active_retired_ratio
                    );
                }
            }
        }
        Err(e) => println!("{e}"),
    }
}
