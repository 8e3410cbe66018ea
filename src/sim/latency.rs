//! The simulated application's latency model: each version's latency is log-normal,
//! fixed by its median and 95th percentile; a mix of versions is an equal-weight mixture.
//! Shared by the application's histogram (`sim/app/`) and the model metrics source
//! (`sim/metrics_source/`).

/// Standard normal CDF (as the simulator computes its histogram).
pub fn phi(x: f64) -> f64 {
    let z = x / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.3275911 * z.abs());
    let y = 1.0
        - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
            + 0.254829592)
            * t
            * (-z * z).exp();
    let erf = if z >= 0.0 { y } else { -y };
    0.5 * (1.0 + erf)
}

/// `(mu, sigma)` of the log-normal latency, seconds, like the simulator's.
pub fn lognormal(p50_ms: f64, p95_ms: f64) -> (f64, f64) {
    let p50 = (p50_ms.max(0.1)) / 1000.0;
    let p95 = (p95_ms.max(p50_ms + 0.1)) / 1000.0;
    let mu = p50.ln();
    let sigma = ((p95.ln() - mu) / 1.644_853_6).max(1e-3);
    (mu, sigma)
}

/// The `q` quantile (seconds) of an equal-weight mixture of log-normals, by bisection on
/// the log of the latency.
pub fn mixture_quantile(dists: &[(f64, f64)], q: f64) -> f64 {
    let cdf = |ln_x: f64| {
        dists
            .iter()
            .map(|(mu, sigma)| phi((ln_x - mu) / sigma))
            .sum::<f64>()
            / dists.len() as f64
    };
    let (mut lo, mut hi) = (1e-6f64.ln(), 1e4f64.ln());
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if cdf(mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    ((lo + hi) / 2.0).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixture_quantiles_match_one_distribution_and_sit_between_two() {
        let one = lognormal(40.0, 120.0);
        assert!((mixture_quantile(&[one], 0.95) - 0.120).abs() < 0.001);
        assert!((mixture_quantile(&[one], 0.5) - 0.040).abs() < 0.0005);
        let bad = lognormal(90.0, 480.0);
        let mixed = mixture_quantile(&[one, bad], 0.95);
        assert!(mixed > 0.120 && mixed < 0.480, "{mixed}");
    }
}
