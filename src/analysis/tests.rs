//! Tests of the analysis machinery. Each test is written so that a wrong
//! implementation makes it fail (exact values, tight tolerances).

use nalgebra::DMatrix;
use std::f64::consts::PI;

use super::*;

fn ishigami(x: &[f64]) -> f64 {
    let (a, b) = (7.0, 0.1);
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

fn to_pm_pi(u: &[f64], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(u) {
        *o = -PI + 2.0 * PI * v;
    }
}

mod sobol_tests {
    use super::*;

    /// Published analytic values for Ishigami (a = 7, b = 0.1).
    const S1: [f64; 3] = [0.3139, 0.4424, 0.0];
    const ST: [f64; 3] = [0.5576, 0.4424, 0.2437];

    /// n = 2^16 (327,680 model runs, ~0.1 s at the test profile's
    /// opt-level 1). Tolerance 0.025 absolute. At this n the bootstrap standard
    /// errors are ~0.004 for S_i and 0.0015-0.006 for ST_i (largest: ST1), and
    /// a sweep over 8 seeds gave a worst error of 0.014 (ST1), so 0.025 is
    /// at least 4 standard errors for every index, while a wrong estimator (e.g.
    /// swapping the A/B roles in S_i, or dividing ST by V instead of 2V) moves
    /// some index by more than 0.1. Each estimate must also lie within
    /// 4 bootstrap SE + 0.005 of the published value.
    #[test]
    fn ishigami_indices() {
        let r = sobol_indices(3, 1 << 16, 20260123, to_pm_pi, ishigami).unwrap();
        assert_eq!(r.n_evals, (1 << 16) * 5);
        // Analytic variance: a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2
        let v = 49.0 / 8.0 + 0.1 * PI.powi(4) / 5.0 + 0.01 * PI.powi(8) / 18.0 + 0.5;
        assert!(
            (r.variance - v).abs() / v < 0.03,
            "variance {} vs {v}",
            r.variance
        );
        for i in 0..3 {
            let (s, t) = (r.first[i], r.total[i]);
            assert!(
                (s - S1[i]).abs() < 0.03,
                "S{} = {s}, expected {}",
                i + 1,
                S1[i]
            );
            assert!(
                (t - ST[i]).abs() < 0.03,
                "ST{} = {t}, expected {}",
                i + 1,
                ST[i]
            );
            assert!(
                r.first_se[i] > 0.0 && r.first_se[i] < 0.02,
                "{:?}",
                r.first_se
            );
            assert!(
                r.total_se[i] > 0.0 && r.total_se[i] < 0.02,
                "{:?}",
                r.total_se
            );
            assert!((s - S1[i]).abs() < 4.0 * r.first_se[i] + 0.005);
            assert!((t - ST[i]).abs() < 4.0 * r.total_se[i] + 0.005);
        }
    }

    #[test]
    fn deterministic_and_errors() {
        let a = sobol_indices_with(3, 256, 7, 10, to_pm_pi, ishigami).unwrap();
        let b = sobol_indices_with(3, 256, 7, 10, to_pm_pi, ishigami).unwrap();
        assert_eq!(a, b);
        assert!(sobol_indices(0, 100, 1, to_pm_pi, ishigami).is_err());
        assert!(sobol_indices(3, 1, 1, to_pm_pi, ishigami).is_err());
        let e = sobol_indices(3, 64, 1, to_pm_pi, |_| f64::NAN).unwrap_err();
        assert!(e.to_string().contains("NaN"), "{e}");
    }

    #[test]
    fn additive_model_exact_structure() {
        // f = x0 + 2 x1, uniforms: S = ST = (1/5, 4/5); estimator error small.
        let r = sobol_indices(
            2,
            4096,
            3,
            |u, o| o.copy_from_slice(u),
            |x| x[0] + 2.0 * x[1],
        )
        .unwrap();
        assert!(
            (r.first[0] - 0.2).abs() < 0.03 && (r.first[1] - 0.8).abs() < 0.03,
            "{r:?}"
        );
        assert!(
            (r.total[0] - 0.2).abs() < 0.02 && (r.total[1] - 0.8).abs() < 0.03,
            "{r:?}"
        );
    }
}

mod dist_tests {
    use super::*;

    fn us() -> Vec<f64> {
        vec![
            0.0,
            1e-300,
            1e-12,
            0.1,
            0.5,
            0.9,
            1.0 - 1e-16,
            1.0,
            -3.0,
            7.0,
        ]
    }

    #[test]
    fn collapsed_specs_return_exact_values() {
        let v = 0.1 + 0.2; // not representable "nicely"
        let specs = [
            DistSpec::point(v),
            DistSpec::normal(v, 0.0),
            DistSpec::normal(v, 0.0).truncated(Some(0.0), Some(1.0)),
            DistSpec::triangular(v, v, v),
            DistSpec::uniform(v, v),
            DistSpec::beta(2.0, 3.0, v, v),
            DistSpec::LogNormal {
                mu: None,
                median: Some(v),
                sigma: 0.0,
                lower: None,
                upper: None,
            },
        ];
        for s in &specs {
            let m = s.compile().unwrap();
            assert!(m.is_point(), "{s:?}");
            for u in us() {
                assert_eq!(m.quantile(u).to_bits(), v.to_bits(), "{s:?} at u = {u}");
            }
        }
        let m = DistSpec::lognormal(0.3, 0.0).compile().unwrap();
        assert_eq!(m.quantile(0.77).to_bits(), 0.3f64.exp().to_bits());
    }

    #[test]
    fn collapsed_monte_carlo_reproduces_deterministic_model() {
        let vals = [1.5, -0.25, 1e-3, 42.0];
        let specs = vec![
            DistSpec::point(vals[0]),
            DistSpec::normal(vals[1], 0.0),
            DistSpec::uniform(vals[2], vals[2]),
            DistSpec::triangular(vals[3], vals[3], vals[3]),
        ];
        let mut r = DMatrix::identity(4, 4);
        r[(0, 1)] = 0.5;
        r[(1, 0)] = 0.5;
        let model = |x: &[f64]| x[0].powf(x[1]) * x[2].exp() + x[3].sqrt();
        let det = model(&vals);
        for corr in [None, Some(r)] {
            let s = Sampler::new(specs.clone(), corr).unwrap();
            let out = run_paths(&s, 50, 9, Some(2), None, |_, p| model(p)).unwrap();
            assert!(out.iter().all(|o| o.to_bits() == det.to_bits()));
        }
    }

    #[test]
    fn quantiles_of_marginals() {
        let u = DistSpec::uniform(2.0, 6.0).compile().unwrap();
        assert_eq!(u.quantile(0.25), 3.0);
        let n = DistSpec::normal(10.0, 2.0).compile().unwrap();
        assert!((n.quantile(0.975) - (10.0 + 2.0 * 1.959963984540054)).abs() < 1e-9);
        assert!((n.quantile(0.5) - 10.0).abs() < 1e-12);
        let b = DistSpec::beta(3.0, 3.0, 10.0, 20.0).compile().unwrap();
        assert!((b.quantile(0.5) - 15.0).abs() < 1e-9);
        let t = DistSpec::triangular(0.0, 1.0, 4.0).compile().unwrap();
        // F(1) = (1-0)^2 / ((4-0)(1-0)) = 0.25
        assert!((t.quantile(0.25) - 1.0).abs() < 1e-12);
        let l = DistSpec::LogNormal {
            mu: None,
            median: Some(9.0),
            sigma: 0.2,
            lower: None,
            upper: None,
        }
        .compile()
        .unwrap();
        assert!((l.quantile(0.5) - 9.0).abs() < 1e-9);
        // Extreme uniforms never give infinities.
        assert!(n.quantile(0.0).is_finite() && n.quantile(1.0).is_finite());
        assert!(n.quantile(f64::NAN).is_nan());
    }

    #[test]
    fn truncated_samples_stay_within_bounds() {
        let cases = [
            (
                DistSpec::normal(0.0, 1.0).truncated(Some(-0.5), Some(2.0)),
                -0.5,
                2.0,
            ),
            (
                DistSpec::normal(0.0, 1.0).truncated(Some(9.0), None),
                9.0,
                f64::INFINITY,
            ),
            (
                DistSpec::normal(0.0, 1.0).truncated(None, Some(-9.0)),
                f64::NEG_INFINITY,
                -9.0,
            ),
            (
                DistSpec::normal(5.0, 3.0).truncated(Some(0.0), None),
                0.0,
                f64::INFINITY,
            ),
            (
                DistSpec::lognormal(0.0, 1.0).truncated(Some(0.5), Some(3.0)),
                0.5,
                3.0,
            ),
            (
                DistSpec::triangular(0.0, 1.0, 4.0).truncated(Some(2.0), Some(3.0)),
                2.0,
                3.0,
            ),
            (
                DistSpec::beta(2.0, 5.0, 0.0, 1.0).truncated(Some(0.5), None),
                0.5,
                1.0,
            ),
        ];
        for (spec, lo, hi) in cases {
            spec.validate().unwrap();
            let s = Sampler::new(vec![spec.clone()], None).unwrap();
            let mut rng = path_rng(1, 0);
            let mut x = [0.0];
            let (mut min, mut max, mut at_bound) = (f64::INFINITY, f64::NEG_INFINITY, 0);
            for _ in 0..5000 {
                s.sample_into(&mut rng, &mut x).unwrap();
                assert!(
                    x[0] >= lo && x[0] <= hi && x[0].is_finite(),
                    "{spec:?}: {}",
                    x[0]
                );
                min = min.min(x[0]);
                max = max.max(x[0]);
                at_bound += usize::from(x[0] == lo || x[0] == hi);
            }
            // Truncation, not clamping: no pile-up at a bound.
            assert_eq!(at_bound, 0, "{spec:?}");
            assert!(
                min - lo < 0.2 * (max - min).max(1e-3) || lo.is_infinite(),
                "{spec:?}"
            );
        }
        // Truncated standard normal on [-0.5, 2]: mean = (phi(a) - phi(b)) / (Phi(b) - Phi(a)).
        let spec = DistSpec::normal(0.0, 1.0).truncated(Some(-0.5), Some(2.0));
        let m = spec.compile().unwrap();
        let n = 20000;
        let mean = (0..n)
            .map(|i| m.quantile((i as f64 + 0.5) / n as f64))
            .sum::<f64>()
            / n as f64;
        let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * PI).sqrt();
        let expect = (phi(-0.5) - phi(2.0)) / (0.977249868051821 - 0.308537538725987);
        assert!((mean - expect).abs() < 1e-3, "{mean} vs {expect}");
        // Far-tail truncation is accurate: the mean of N(0,1) | z > 9 is ~ 9.1.
        let tail = DistSpec::normal(0.0, 1.0)
            .truncated(Some(9.0), None)
            .compile()
            .unwrap();
        let med = tail.quantile(0.5);
        assert!(med > 9.0 && med < 9.1, "{med}");
        // Clamping would put half the mass at 0 here; truncation puts none.
        let c = DistSpec::normal(0.0, 1.0)
            .truncated(Some(0.0), None)
            .compile()
            .unwrap();
        assert!((c.quantile(0.5) - 0.6744897501960817).abs() < 1e-9);
    }

    fn errs(s: DistSpec) -> String {
        s.validate().unwrap_err().join(" | ")
    }

    #[test]
    fn invalid_specs_name_the_field() {
        assert!(errs(DistSpec::normal(0.0, -1.0)).contains("`sd`"));
        assert!(errs(DistSpec::normal(f64::NAN, 1.0)).contains("`mean`"));
        assert!(errs(DistSpec::uniform(2.0, 1.0)).contains("`min`"));
        assert!(errs(DistSpec::triangular(0.0, 5.0, 1.0)).contains("`mode`"));
        assert!(errs(DistSpec::beta(0.0, 1.0, 0.0, 1.0)).contains("`alpha`"));
        assert!(errs(DistSpec::beta(1.0, -2.0, 0.0, 1.0)).contains("`beta`"));
        assert!(errs(DistSpec::lognormal(0.0, -0.1)).contains("`sigma`"));
        assert!(
            errs(DistSpec::normal(0.0, 1.0).truncated(Some(2.0), Some(1.0))).contains("`lower`")
        );
        assert!(
            errs(DistSpec::normal(0.0, 1.0).truncated(Some(f64::INFINITY), None))
                .contains("`lower`")
        );
        let z = errs(DistSpec::uniform(0.0, 1.0).truncated(Some(2.0), Some(3.0)));
        assert!(z.contains("zero probability"), "{z}");
        let z = errs(DistSpec::normal(0.0, 1.0).truncated(Some(50.0), Some(60.0)));
        assert!(z.contains("zero probability"), "{z}");
        assert!(errs(DistSpec::point(5.0).truncated(Some(0.0), Some(1.0))).contains("outside"));
        let both = DistSpec::LogNormal {
            mu: Some(0.0),
            median: Some(1.0),
            sigma: 1.0,
            lower: None,
            upper: None,
        };
        assert!(errs(both).contains("`median`"));
        // Several problems are all reported.
        let e = DistSpec::beta(-1.0, -1.0, 0.0, 1.0).validate().unwrap_err();
        assert_eq!(e.len(), 2);
        // Sampler reports the parameter index.
        let e = Sampler::new(
            vec![DistSpec::point(1.0), DistSpec::normal(0.0, -1.0)],
            None,
        )
        .unwrap_err();
        assert!(
            matches!(e, AnalysisError::InvalidSpec { index: 1, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("#1") && e.to_string().contains("`sd`"));
    }

    #[test]
    fn toml_deserialisation() {
        #[derive(serde::Deserialize)]
        struct F {
            a: DistSpec,
            b: DistSpec,
            c: DistSpec,
            d: DistSpec,
        }
        let f: F = toml::from_str(
            r#"
            a = { dist = "normal", mean = 0.05, sd = 0.01, lower = 0.0 }
            b = { dist = "lognormal", median = 9.0, sigma = 0.2 }
            c = { dist = "beta", alpha = 2.0, beta = 5.0 }
            d = { dist = "triangular", min = 1.0, mode = 2.0, max = 3.0 }
            "#,
        )
        .unwrap();
        assert_eq!(f.a, DistSpec::normal(0.05, 0.01).truncated(Some(0.0), None));
        assert!(matches!(
            f.b,
            DistSpec::LogNormal {
                median: Some(9.0),
                ..
            }
        ));
        assert!(matches!(
            f.c,
            DistSpec::Beta {
                min: None,
                max: None,
                ..
            }
        ));
        for s in [&f.a, &f.b, &f.c, &f.d] {
            s.validate().unwrap();
        }
        let e = toml::from_str::<DistSpec>("dist = \"normal\"\nmean = 1.0\nsdd = 2.0\n");
        assert!(e.unwrap_err().to_string().contains("sdd"));
        let e = toml::from_str::<DistSpec>("dist = \"gamma\"\nshape = 1.0\n");
        assert!(e.is_err());
    }
}

mod sampler_tests {
    use super::*;

    fn pearson(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    #[test]
    fn correlated_sampling_reproduces_target() {
        let mut r = DMatrix::identity(3, 3);
        for (i, j, v) in [(0, 1, 0.7), (0, 2, -0.3), (1, 2, 0.0)] {
            r[(i, j)] = v;
            r[(j, i)] = v;
        }
        let s = Sampler::new(
            vec![
                DistSpec::normal(1.0, 2.0),
                DistSpec::normal(-5.0, 0.5),
                DistSpec::normal(0.0, 1.0),
            ],
            Some(r),
        )
        .unwrap();
        let n = 20000;
        let out = run_paths(&s, n, 11, None, None, |_, p| p.to_vec()).unwrap();
        let col = |j: usize| out.iter().map(|v| v[j]).collect::<Vec<_>>();
        let (a, b, c) = (col(0), col(1), col(2));
        let r01 = pearson(&a, &b);
        let r02 = pearson(&a, &c);
        assert!((r01 - 0.7).abs() < 0.03, "r01 = {r01}");
        assert!((r02 + 0.3).abs() < 0.03, "r02 = {r02}");
        assert!(pearson(&b, &c).abs() < 0.03);
        let mean_a = a.iter().sum::<f64>() / n as f64;
        assert!((mean_a - 1.0).abs() < 0.05, "{mean_a}");
        // Independent sampling gives ~0 correlation.
        let s = Sampler::new(
            vec![DistSpec::normal(0.0, 1.0), DistSpec::uniform(0.0, 1.0)],
            None,
        )
        .unwrap();
        let out = run_paths(&s, n, 11, None, None, |_, p| (p[0], p[1])).unwrap();
        let (a, b): (Vec<f64>, Vec<f64>) = out.into_iter().unzip();
        assert!(pearson(&a, &b).abs() < 0.03);
    }

    #[test]
    fn correlation_matrix_errors() {
        let specs = || vec![DistSpec::normal(0.0, 1.0), DistSpec::normal(0.0, 1.0)];
        let msg = |m: DMatrix<f64>| Sampler::new(specs(), Some(m)).unwrap_err().to_string();
        assert!(msg(DMatrix::identity(2, 3)).contains("square"));
        assert!(msg(DMatrix::identity(3, 3)).contains("2 parameters"));
        assert!(msg(DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.4, 1.0])).contains("symmetric"));
        assert!(msg(DMatrix::from_row_slice(2, 2, &[2.0, 0.0, 0.0, 1.0])).contains("outside"));
        assert!(msg(DMatrix::from_row_slice(2, 2, &[0.9, 0.0, 0.0, 1.0])).contains("diagonal"));
        assert!(
            msg(DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0])).contains("positive definite")
        );
        assert!(
            msg(DMatrix::from_row_slice(
                2,
                2,
                &[1.0, f64::NAN, f64::NAN, 1.0]
            ))
            .contains("finite")
        );
        let three = vec![DistSpec::normal(0.0, 1.0); 3];
        let m = DMatrix::from_row_slice(3, 3, &[1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0]);
        assert!(
            Sampler::new(three, Some(m))
                .unwrap_err()
                .to_string()
                .contains("positive definite")
        );
        let s = Sampler::new(specs(), None).unwrap();
        let mut short = [0.0];
        assert!(s.sample_into(&mut path_rng(0, 0), &mut short).is_err());
    }
}

mod mc_tests {
    use super::*;

    #[test]
    fn same_seed_same_output_for_any_thread_count() {
        let mut r = DMatrix::identity(3, 3);
        r[(0, 2)] = 0.4;
        r[(2, 0)] = 0.4;
        let s = Sampler::new(
            vec![
                DistSpec::normal(0.0, 1.0).truncated(Some(-1.0), None),
                DistSpec::beta(2.0, 2.0, 0.0, 10.0),
                DistSpec::triangular(0.0, 1.0, 2.0),
            ],
            Some(r),
        )
        .unwrap();
        let f = |path: u64, p: &[f64]| (path, p.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        let one = run_paths(&s, 1000, 42, Some(1), None, f).unwrap();
        let two = run_paths(&s, 1000, 42, Some(2), None, f).unwrap();
        let global = run_paths(&s, 1000, 42, None, None, f).unwrap();
        assert_eq!(one, two);
        assert_eq!(one, global);
        assert!(one.iter().enumerate().all(|(i, (p, _))| *p == i as u64));
        // A different seed changes the draws; a prefix run reproduces the prefix.
        let other = run_paths(&s, 1000, 43, Some(2), None, f).unwrap();
        assert_ne!(one, other);
        let prefix = run_paths(&s, 10, 42, Some(2), None, f).unwrap();
        assert_eq!(&one[..10], &prefix[..]);
        // Progress bar counts paths.
        let pb = indicatif::ProgressBar::hidden();
        run_paths(&s, 77, 1, Some(2), Some(&pb), |_, _| ()).unwrap();
        assert_eq!(pb.position(), 77);
    }

    #[test]
    fn run_paths_rejects_bad_arguments() {
        let s = Sampler::new(vec![DistSpec::point(1.0)], None).unwrap();
        assert!(
            run_paths(&s, 0, 1, None, None, |_, _| ())
                .unwrap_err()
                .to_string()
                .contains("n_paths")
        );
        assert!(
            run_paths(&s, 5, 1, Some(0), None, |_, _| ())
                .unwrap_err()
                .to_string()
                .contains("threads")
        );
    }

    #[test]
    fn quantile_hand_worked() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        // h = 4p: p = 0.25 -> x(1) = 2; p = 0.9 -> h = 3.6 -> 4 + 0.6 * 6 = 7.6
        assert_eq!(quantile(&x, 0.0), 1.0);
        assert_eq!(quantile(&x, 0.25), 2.0);
        assert_eq!(quantile(&x, 0.5), 3.0);
        assert!((quantile(&x, 0.9) - 7.6).abs() < 1e-12);
        assert!((quantile(&x, 0.1) - 1.4).abs() < 1e-12);
        assert_eq!(quantile(&x, 1.0), 10.0);
        assert!(quantile(&[], 0.5).is_nan());
        assert!(quantile(&x, 1.5).is_nan() && quantile(&x, f64::NAN).is_nan());
        assert_eq!(quantile(&[3.0], 0.7), 3.0);
        // Ordered in p.
        let mut prev = f64::NEG_INFINITY;
        for i in 0..=100 {
            let q = quantile(&x, i as f64 / 100.0);
            assert!(q >= prev);
            prev = q;
        }
        assert_eq!(quantile(&[f64::NEG_INFINITY, 1.0, 1.0], 0.75), 1.0);
    }

    #[test]
    fn year_summaries_with_nan() {
        // 4 paths x 3 years.
        let paths = vec![
            vec![10.0, 5.0, -1.0],
            vec![8.0, 2.0, f64::NAN],
            vec![6.0, 7.0, 1.0],
            vec![4.0, 1.0, f64::NAN],
        ];
        let s = summarize_years(&paths, &[0.0, 0.5, 1.0], &[6.0, 3.0, 0.0]).unwrap();
        assert_eq!(s.quantiles[0], vec![4.0, 7.0, 10.0]);
        assert_eq!(s.quantiles[1], vec![1.0, 3.5, 7.0]);
        assert_eq!(s.quantiles[2], vec![-1.0, 0.0, 1.0]);
        assert_eq!(s.prob_below[0], vec![0.25, 0.0, 0.0]); // strict: 6 is not < 6
        assert_eq!(s.prob_below[1], vec![0.75, 0.5, 0.0]);
        assert_eq!(s.prob_below[2], vec![1.0, 1.0, 0.5]);
        assert_eq!(s.n_nan, vec![0, 0, 2]);
        assert_eq!(s.n_valid, vec![4, 4, 2]);
        assert_eq!(s.mean[0], 7.0);
        let flat: Vec<f64> = paths.iter().flatten().copied().collect();
        let f = summarize_years_flat(&flat, 3, &[0.0, 0.5, 1.0], &[6.0, 3.0, 0.0]).unwrap();
        assert_eq!(format!("{s:?}"), format!("{f:?}"));
        // All-NaN year gives NaN, not a panic; ragged input is an error.
        let s = summarize_years(&[vec![f64::NAN]], &[0.5], &[1.0]).unwrap();
        assert!(s.quantiles[0][0].is_nan() && s.prob_below[0][0].is_nan());
        assert!(summarize_years(&[vec![1.0], vec![]], &[0.5], &[]).is_err());
        assert!(summarize_years(&[vec![1.0]], &[1.5], &[]).is_err());
        assert!(summarize_years(&[], &[0.5], &[]).is_err());
        assert!(summarize_years_flat(&[1.0, 2.0, 3.0], 2, &[0.5], &[]).is_err());
    }
}

mod oneway_tests {
    use super::*;

    #[test]
    fn tornado_ranks_and_ignored_parameter_last() {
        let base = [1.0, 2.0, 3.0, 4.0];
        let ranges = [
            ("ignored", 0.0, 100.0),
            ("small", 1.0, 3.0),
            ("big", 0.0, 10.0),
            ("tie", 0.0, 2.0),
        ];
        // f ignores x0; swings: small |2*(3-1)|=4, big 10, tie |(-2)*(0-2)|=4
        let f = |x: &[f64]| 2.0 * x[1] + x[2] - 2.0 * x[3];
        let t = tornado(&base, &ranges, f).unwrap();
        assert_eq!(t.base_outcome, 4.0 + 3.0 - 8.0);
        let names: Vec<&str> = t.bars.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["big", "small", "tie", "ignored"]);
        assert_eq!(t.bars[3].swing, 0.0);
        assert_eq!(t.bars[3].index, 0);
        assert_eq!(t.bars[0].swing, 10.0);
        let tie = &t.bars[2];
        assert_eq!(
            (tie.low_outcome, tie.high_outcome),
            (2.0 * 2.0 + 3.0, 2.0 * 2.0 + 3.0 - 4.0)
        );
        assert!(tornado(&base, &ranges[..2], f).is_err());
        let many = tornado_many(&base, &ranges, |x| vec![f(x), -x[0], f64::NAN * x[1]]).unwrap();
        assert_eq!(many.len(), 3);
        assert_eq!(many[0], t);
        assert_eq!(many[1].bars[0].name, "ignored");
        assert_eq!(many[1].bars[0].swing, 100.0);
        assert!(many[2].bars.iter().all(|b| b.swing.is_nan()));
        let ragged = tornado_many(&[1.0], &[("a", 0.0, 2.0)], |x| vec![0.0; 1 + x[0] as usize]);
        assert!(ragged.is_err());
        assert!(tornado(&[f64::NAN], &[("a", 0.0, 1.0)], |x| x[0]).is_err());
    }

    #[test]
    fn grid_table_and_errors() {
        let g = grid2(Axis::new(0.0, 1.0, 3), Axis::new(10.0, 40.0, 4), |x, y| {
            x * 100.0 + y
        })
        .unwrap();
        assert_eq!(g.xs, vec![0.0, 0.5, 1.0]);
        assert_eq!(g.ys, vec![10.0, 20.0, 30.0, 40.0]);
        assert_eq!(g.get(1, 2), Some(&80.0));
        assert_eq!(g.values[11], 140.0);
        assert_eq!(g.get(3, 0), None);
        let one = grid2(Axis::new(2.0, 2.0, 1), Axis::new(0.0, 1.0, 2), |x, y| x + y).unwrap();
        assert_eq!(one.values, vec![2.0, 3.0]);
        let e = grid2(Axis::new(0.0, 1.0, 1), Axis::new(0.0, 1.0, 2), |x, _| x).unwrap_err();
        assert!(e.to_string().contains("`x`"), "{e}");
        let e = grid2(Axis::new(0.0, 1.0, 2), Axis::new(1.0, 1.0, 5), |x, _| x).unwrap_err();
        assert!(
            e.to_string().contains("`y`") && e.to_string().contains("lo"),
            "{e}"
        );
        assert!(grid2(Axis::new(0.0, 1.0, 0), Axis::new(0.0, 1.0, 2), |x, _| x).is_err());
        assert!(
            grid2(
                Axis::new(0.0, f64::NAN, 3),
                Axis::new(0.0, 1.0, 2),
                |x, _| x
            )
            .is_err()
        );
    }
}

mod root_tests {
    use super::*;

    #[test]
    fn brent_on_cubic() {
        let r = solve_bracketed(|x| x * x * x - 2.0 * x - 5.0, 0.0, 3.0, 1e-14, 100).unwrap();
        assert!((r.x - 2.0945514815423265).abs() < 1e-13, "{r:?}");
        assert!(r.iterations < 20, "{r:?}");
        // Non-monotone: the first bracket from the left is used.
        let r = solve_bracketed(|x: f64| x.sin(), 1.0, 10.0, 1e-12, 100).unwrap();
        assert!((r.x - PI).abs() < 1e-11);
        // Exact zero on the scan grid.
        let r = solve_bracketed(|x| x, -1.0, 1.0, 1e-12, 100).unwrap();
        assert_eq!((r.x, r.iterations), (0.0, 0));
    }

    #[test]
    fn no_sign_change_is_a_clear_error() {
        let e = solve_bracketed(|x| x * x + 1.0, -1.0, 2.0, 1e-10, 100).unwrap_err();
        match &e {
            AnalysisError::NoSignChange {
                f_lo, f_hi, best_f, ..
            } => {
                assert_eq!((*f_lo, *f_hi), (2.0, 5.0));
                assert!(*best_f >= 1.0 && *best_f < 1.01, "{best_f}");
            }
            other => panic!("wrong error {other:?}"),
        }
        let msg = e.to_string();
        assert!(
            msg.contains("no value in the allowed range") && msg.contains("best achievable"),
            "{msg}"
        );
        assert!(solve_bracketed(|x| x, 1.0, 0.0, 1e-9, 10).is_err());
        assert!(solve_bracketed(|x| x, 0.0, 1.0, 0.0, 10).is_err());
        assert!(matches!(
            solve_bracketed(|_| f64::NAN, 0.0, 1.0, 1e-9, 10),
            Err(AnalysisError::NonFinite { .. })
        ));
    }

    #[test]
    fn goal_seek_returns_feasible_side() {
        let g = |x: f64| x * x * x + x;
        let tol = 1e-9;
        let r = smallest_x_at_least(g, 0.0, 10.0, 5.0, tol, 200).unwrap();
        assert!(g(r.x) >= 5.0, "{r:?}");
        assert!(g(r.x - tol) < 5.0, "{r:?}");
        assert!(r.miss_value < 5.0 && r.x - r.miss_x <= tol);
        assert!(r.evaluations < 60, "{r:?}");
        // Decreasing: largest x with 10 - x^2 >= 3 is sqrt(7).
        let h = |x: f64| 10.0 - x * x;
        let r = largest_x_at_least(h, 0.0, 5.0, 3.0, tol, 200).unwrap();
        assert!(h(r.x) >= 3.0 && h(r.x + tol) < 3.0, "{r:?}");
        assert!((r.x - 7f64.sqrt()).abs() < 2.0 * tol);
        // A step function (non-smooth, flat pieces) still honours the guarantee.
        let step = |x: f64| (x * 10.0).floor();
        let r = smallest_x_at_least(step, 0.0, 1.0, 3.0, 1e-10, 200).unwrap();
        assert!(step(r.x) >= 3.0 && step(r.x - 1e-10) < 3.0, "{r:?}");
        // Whole range feasible: the range end is returned.
        let r = smallest_x_at_least(g, 2.0, 3.0, 5.0, tol, 50).unwrap();
        assert_eq!(r.x, 2.0);
        assert!(r.miss_x.is_nan());
        // Unreachable target.
        let e = smallest_x_at_least(g, 0.0, 1.0, 5.0, tol, 50).unwrap_err();
        match &e {
            AnalysisError::TargetUnreachable {
                best_x, best_value, ..
            } => {
                assert_eq!((*best_x, *best_value), (1.0, 2.0));
            }
            other => panic!("wrong error {other:?}"),
        }
        assert!(e.to_string().contains("best achievable value is 2"), "{e}");
        let e =
            seek_target(|_| f64::NAN, 0.0, 1.0, 1.0, Monotone::Increasing, 1e-6, 10).unwrap_err();
        assert!(matches!(e, AnalysisError::NonFinite { .. }));
        let e = smallest_x_at_least(g, 0.0, 10.0, 5.0, 1e-12, 2).unwrap_err();
        assert!(matches!(e, AnalysisError::NoConvergence { .. }));
    }
}

mod morris_tests {
    use super::*;

    #[test]
    fn morris_linear_and_interaction() {
        let id = |u: &[f64], o: &mut [f64]| o.copy_from_slice(u);
        // Linear: EE_i is the coefficient exactly, sigma 0; ignored factor 0.
        let m = morris(3, 20, 4, 5, id, |x| 3.0 * x[0] - 2.0 * x[1]).unwrap();
        assert_eq!(m.n_evals, 20 * 4);
        for (i, c) in [3.0f64, -2.0, 0.0].iter().enumerate() {
            assert!((m.mu[i] - c).abs() < 1e-12, "{m:?}");
            assert!((m.mu_star[i] - c.abs()).abs() < 1e-12, "{m:?}");
            assert!(m.sigma[i] < 1e-12, "{m:?}");
        }
        // Interaction x0 * x1: sigma > 0 for both, x2 ignored.
        let m = morris(3, 30, 4, 5, id, |x| x[0] * x[1]).unwrap();
        assert!(
            m.sigma[0] > 0.1 && m.sigma[1] > 0.1 && m.mu_star[2] == 0.0,
            "{m:?}"
        );
        let again = morris(3, 30, 4, 5, id, |x| x[0] * x[1]).unwrap();
        assert_eq!(m, again);
        assert!(morris(3, 10, 3, 1, id, |x| x[0]).is_err());
        assert!(morris(3, 0, 4, 1, id, |x| x[0]).is_err());
        assert!(morris(3, 5, 4, 1, id, |_| f64::INFINITY).is_err());
    }

    #[test]
    fn sobol_for_sampler_point_parameter_has_zero_index() {
        let s = Sampler::new(
            vec![
                DistSpec::uniform(0.0, 1.0),
                DistSpec::point(2.0),
                DistSpec::normal(0.0, 1.0),
            ],
            None,
        )
        .unwrap();
        let r = sobol_for_sampler(&s, 2048, 1, |x| x[0] * x[1] + 0.1 * x[2]).unwrap();
        assert_eq!((r.first[1], r.total[1]), (0.0, 0.0));
        assert!(r.total[0] > 0.9, "{r:?}");
    }
}

mod property_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Inverse CDFs are non-decreasing in u and respect truncation bounds.
        #[test]
        fn marginal_quantile_monotone_within_bounds(
            kind in 0usize..5,
            a in -5.0f64..5.0,
            w in 0.01f64..5.0,
            cut in 0.0f64..0.9,
            us in proptest::collection::vec(0.0f64..1.0, 2..30),
        ) {
            let spec = match kind {
                0 => DistSpec::normal(a, w),
                1 => DistSpec::lognormal(a / 5.0, w / 5.0),
                2 => DistSpec::triangular(a, a + w * 0.3, a + w),
                3 => DistSpec::uniform(a, a + w),
                _ => DistSpec::beta(0.5 + w, 0.5 + cut * 3.0, a, a + w),
            };
            let m0 = spec.compile().unwrap();
            let lo = m0.quantile(0.05 + 0.4 * cut);
            let hi = m0.quantile(0.95);
            prop_assume!(lo < hi);
            let m = spec.truncated(Some(lo), Some(hi)).compile().unwrap();
            let mut us = us;
            us.sort_by(f64::total_cmp);
            let xs: Vec<f64> = us.iter().map(|&u| m.quantile(u)).collect();
            for w2 in xs.windows(2) {
                prop_assert!(w2[0] <= w2[1], "{:?}", xs);
            }
            prop_assert!(xs.iter().all(|&x| x >= lo && x <= hi), "{:?} not in [{lo}, {hi}]", xs);
        }

        /// Type-7 quantiles are ordered in p and lie within [min, max].
        #[test]
        fn quantile_ordered(mut v in proptest::collection::vec(-1e6f64..1e6, 1..50), p in 0.0f64..1.0, q in 0.0f64..1.0) {
            v.sort_by(f64::total_cmp);
            let (p, q) = if p <= q { (p, q) } else { (q, p) };
            let (a, b) = (quantile(&v, p), quantile(&v, q));
            prop_assert!(a <= b);
            prop_assert!(a >= v[0] && b <= v[v.len() - 1]);
        }
    }
}

/// A lever that breaks the scenario is a typed error holding the scenario's
/// own error (file, line, field), not a flattened string; an unknown path is a
/// request error that says what to change.
#[test]
fn lever_errors_are_typed_and_keep_the_scenario_error() {
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/chuxiong-2023.toml");
    let model = crate::projection::Model::load(&file, &[]).unwrap();
    let path = "funds.resident.premiums.paying_share".to_string();
    let set = levers::LeverSet::resolve(&model, std::slice::from_ref(&path)).unwrap();
    match set.recompile(&model, &[5.0]) {
        Err(AnalysisError::Scenario(e)) => {
            let d = e.diagnostics();
            assert!(d.iter().any(|x| x.contains("paying_share")), "{d:?}");
        }
        Err(other) => panic!("expected a scenario error, got {other:?}"),
        Ok(_) => panic!("a paying share of 5 was accepted"),
    }
    match levers::Lever::resolve(&model, "funds.resident.nowhere") {
        Err(AnalysisError::Request(m)) => assert!(m.contains("nowhere"), "{m}"),
        other => panic!("expected a request error, got {other:?}"),
    }
    let ctx = AnalysisError::Request("inner".into()).context("--x p");
    let src = std::error::Error::source(&ctx).expect("the inner error is the source");
    assert_eq!(src.to_string(), "inner");
}

/// Two levers on one parameter that start in different years: each moves
/// only its own years, composed in order (a draw on the premium from year 0,
/// the goal seek's constant from year 2: years 0-1 scaled, 2 on the constant).
#[test]
fn levers_on_one_parameter_keep_their_own_first_years() {
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/chuxiong-2023.toml");
    let model = crate::projection::Model::load(&file, &[]).unwrap();
    let p = "funds.resident.premiums.premium";
    let scale = levers::Lever::resolve(&model, &format!("{p}.scale")).unwrap();
    let whole = levers::Lever::resolve(&model, p)
        .unwrap()
        .moved_from(2)
        .unwrap();
    let id = model.store.find(p).unwrap();
    let base = model.values().row(id).to_vec();
    for set in [
        levers::LeverSet::new(vec![scale.clone(), whole.clone()]),
        levers::LeverSet::new(vec![whole.clone(), scale.clone()]),
    ] {
        let mut v = model.values().clone();
        let xs: Vec<f64> = set
            .levers()
            .iter()
            .map(|l| {
                if l.path.ends_with(".scale") {
                    1.1
                } else {
                    500.0
                }
            })
            .collect();
        set.apply(&model, &xs, &mut v);
        let row = v.row(id);
        let first_scale = set.levers()[0].path.ends_with(".scale");
        for t in 0..row.len() {
            let want = match (t < 2, first_scale) {
                (true, _) => base[t] * 1.1,
                // the constant written over the scaled path
                (false, true) => 500.0,
                // the scale applied after the constant
                (false, false) => 500.0 * 1.1,
            };
            assert!((row[t] - want).abs() < 1e-9, "t={t}: {} vs {want}", row[t]);
        }
    }
}

mod selection_tests {
    use crate::analysis::montecarlo::{quantile, quantiles_by_selection, summarize_column};
    use proptest::prelude::*;

    proptest! {
        /// Selection gives the sorted reference's quantiles bit for bit,
        /// ties, infinities and signed zeros included.
        #[test]
        fn selection_equals_sorting(
            mut v in prop::collection::vec(
                prop_oneof![
                    -1e6f64..1e6,
                    Just(0.0),
                    Just(-0.0),
                    Just(f64::INFINITY),
                    Just(f64::NEG_INFINITY),
                    Just(3.5),
                ],
                1..300,
            ),
            probs in prop::collection::vec(0.0f64..=1.0, 0..8),
        ) {
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let mut all = probs.clone();
            all.extend([0.0, 0.05, 0.5, 0.95, 1.0]);
            let got = quantiles_by_selection(&mut v, &all);
            for (g, &p) in got.iter().zip(&all) {
                let want = quantile(&sorted, p);
                prop_assert!(
                    g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()),
                    "p = {}: {} vs {}", p, g, want
                );
            }
        }
    }

    #[test]
    fn column_summary_of_an_empty_column_is_nan() {
        let (q, below, mean) = summarize_column(&mut [], &[0.5], &[1.0]);
        assert!(q[0].is_nan() && below[0].is_nan() && mean.is_nan());
        let (q, below, mean) = summarize_column(&mut [3.0, 1.0, 2.0], &[0.0, 0.5, 1.0], &[2.0]);
        assert_eq!(q, vec![1.0, 2.0, 3.0]);
        assert_eq!(below, vec![1.0 / 3.0]);
        assert_eq!(mean, 2.0);
    }
}

/// Monte Carlo bands above the exact limit (streaming sketches, batches)
/// against the exact bands of the same paths.
mod streaming_bands {
    use crate::analysis::bands::{QuantileMethod, monte_carlo_with, zero_buckets};
    use crate::analysis::runs::Uncertainty;
    use crate::analysis::sketch::RELATIVE_ACCURACY;
    use crate::projection::Model;

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// More paths than one batch (64 chunks of 512) and a partial last
    /// chunk: the sketch's quantiles are within the stated accuracy of the
    /// exact ones, means, probabilities and counts are the exact ones bit for
    /// bit, and 1 and 2 threads give the same bits.
    #[test]
    fn sketch_bands_match_exact_bands_within_accuracy_for_any_thread_count() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join("chuxiong-2023.toml");
        let m = Model::load(&path, &[]).unwrap();
        let unc = Uncertainty::of_model(&m).unwrap();
        let n = 64 * 512 + 700;
        let exact = monte_carlo_with(&m, &unc, n, 5, Some(2), None, u64::MAX).unwrap();
        let one = monte_carlo_with(&m, &unc, n, 5, Some(1), None, 0).unwrap();
        let two = monte_carlo_with(&m, &unc, n, 5, Some(2), None, 0).unwrap();
        assert_eq!(exact.method, QuantileMethod::Exact);
        assert_eq!(
            one.method,
            QuantileMethod::Sketch {
                relative_accuracy: RELATIVE_ACCURACY,
                collapsed: false
            }
        );
        let mut moved = 0;
        let zero = zero_buckets(&m);
        for (((e, a), b), zero) in exact
            .funds
            .iter()
            .zip(&one.funds)
            .zip(&two.funds)
            .zip(zero.chunks(2))
        {
            for (x, y, z, zero) in [
                (&e.months, &a.months, &b.months, zero[0]),
                (&e.balance, &a.balance, &b.balance, zero[1]),
            ] {
                for t in 0..x.quantiles.len() {
                    assert_eq!(bits(&y.quantiles[t]), bits(&z.quantiles[t]));
                    assert_eq!(bits(&x.prob_below[t]), bits(&y.prob_below[t]));
                    assert_eq!(x.n_valid[t], y.n_valid[t]);
                    assert_eq!(x.n_nan[t], y.n_nan[t]);
                    for (q, s) in x.quantiles[t].iter().zip(&y.quantiles[t]) {
                        let tol = (RELATIVE_ACCURACY * (1.0 + 1e-9) * q.abs()).max(zero);
                        assert!((q - s).abs() <= tol, "year {t}: exact {q}, sketch {s}");
                        moved += usize::from(q != s);
                    }
                }
                assert_eq!(bits(&x.mean), bits(&y.mean), "means bit for bit");
                assert_eq!(bits(&y.mean), bits(&z.mean));
            }
        }
        // the sketch is an approximation, not a copy of the exact code path
        assert!(moved > 0);
    }

    /// The default scenario (rules on: a fiscal backstop holds balances at
    /// zero, so draws land arbitrarily close to 0) does not collapse any
    /// series once values within the zero bucket count as zeros, and its
    /// sketch quantiles stay within the stated accuracy of the exact ones.
    #[test]
    fn default_scenario_does_not_collapse() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(crate::scenario::bundled::DEFAULT);
        let m = Model::load(&path, &[]).unwrap();
        let mut unc = Uncertainty::of_model(&m).unwrap();
        crate::analysis::keep_observed(&m, &mut unc).unwrap();
        let n = 3_000;
        let exact = monte_carlo_with(&m, &unc, n, 11, Some(2), None, u64::MAX).unwrap();
        let sketch = monte_carlo_with(&m, &unc, n, 11, Some(2), None, 0).unwrap();
        assert_eq!(
            sketch.method,
            QuantileMethod::Sketch {
                relative_accuracy: RELATIVE_ACCURACY,
                collapsed: false
            }
        );
        let zero = zero_buckets(&m);
        // months 0.001; balance 0.001 months of the base-year spending (万元)
        assert_eq!(zero[0], 1e-3);
        assert!(zero[1] > 1.0 && zero[1] < 100.0, "{}", zero[1]);
        let mut near_zero = 0;
        for (e, s) in exact.funds.iter().zip(&sketch.funds) {
            for (x, y, z) in [
                (&e.months, &s.months, zero[0]),
                (&e.balance, &s.balance, zero[1]),
            ] {
                for (qe, qs) in x
                    .quantiles
                    .iter()
                    .flatten()
                    .zip(y.quantiles.iter().flatten())
                {
                    let tol = (RELATIVE_ACCURACY * (1.0 + 1e-9) * qe.abs()).max(z);
                    assert!((qe - qs).abs() <= tol, "exact {qe}, sketch {qs}");
                    near_zero += usize::from(qe.abs() < z);
                }
            }
        }
        // the case the zero bucket is for: some quantiles are at zero
        assert!(near_zero > 0);
    }
}
