//! The statistics the analysis needs: Pearson's χ² test of independence with its p value
//! (regularised incomplete gamma function), and the rule for when it may be used.

/// ln Γ(x) (Lanczos approximation, g = 7, n = 9; |error| < 1e-14 for x > 0).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9, 676.520_368_121_885_1, -1_259.139_216_722_402_8, 771.323_428_777_653_1,
        -176.615_029_162_140_6, 12.507_343_278_686_905, -0.138_571_095_265_720_12, 9.984_369_578_019_572e-6, 1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Q(a, x) = Γ(a, x) / Γ(a), the upper regularised incomplete gamma function.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x < a + 1.0 {
        // series for P
        let mut sum = 1.0 / a;
        let mut del = sum;
        let mut ap = a;
        for _ in 0..1000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        1.0 - sum * (-x + a * x.ln() - ln_gamma(a)).exp()
    } else {
        // continued fraction for Q (Lentz)
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (-x + a * x.ln() - ln_gamma(a)).exp() * h
    }
}

/// The result of a χ² test on a contingency table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChiSquare {
    pub chi2: f64,
    pub df: usize,
    /// None when the expected counts do not allow the test.
    pub p: Option<f64>,
    /// Why there is no p (in Chinese), or None.
    pub note: Option<String>,
}

/// Pearson's χ² over the non-empty rows and columns of `table`. The test is reported only
/// when no expected count is below 1 and at most 20 % are below 5 (Cochran).
pub fn chi_square(table: &[Vec<u64>]) -> ChiSquare {
    let rows: Vec<&Vec<u64>> = table.iter().filter(|r| r.iter().sum::<u64>() > 0).collect();
    let ncols = table.first().map(|r| r.len()).unwrap_or(0);
    let cols: Vec<usize> = (0..ncols).filter(|j| rows.iter().map(|r| r[*j]).sum::<u64>() > 0).collect();
    if rows.len() < 2 || cols.len() < 2 {
        return ChiSquare { chi2: 0.0, df: 0, p: None, note: Some("有效分组或选项不足两个，无法进行χ²检验".into()) };
    }
    let n: f64 = rows.iter().map(|r| cols.iter().map(|j| r[*j]).sum::<u64>()).sum::<u64>() as f64;
    let rsum: Vec<f64> = rows.iter().map(|r| cols.iter().map(|j| r[*j]).sum::<u64>() as f64).collect();
    let csum: Vec<f64> = cols.iter().map(|j| rows.iter().map(|r| r[*j]).sum::<u64>() as f64).collect();
    let (mut chi2, mut small, mut tiny, mut cells) = (0.0, 0, 0, 0);
    for (i, r) in rows.iter().enumerate() {
        for (k, j) in cols.iter().enumerate() {
            let e = rsum[i] * csum[k] / n;
            cells += 1;
            if e < 5.0 {
                small += 1;
            }
            if e < 1.0 {
                tiny += 1;
            }
            chi2 += (r[*j] as f64 - e).powi(2) / e;
        }
    }
    let df = (rows.len() - 1) * (cols.len() - 1);
    let share = small as f64 / cells as f64;
    if tiny > 0 || share > 0.2 {
        return ChiSquare {
            chi2,
            df,
            p: None,
            note: Some(format!("期望频数小于5的单元格占{:.0}%{}，不满足χ²检验条件（样本量不足），仅列出频数", share * 100.0, if tiny > 0 { "，且有期望频数小于1的单元格" } else { "" })),
        };
    }
    ChiSquare { chi2, df, p: Some(gamma_q(df as f64 / 2.0, chi2 / 2.0)), note: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn chi_square_matches_published_values() {
        // χ² = 3.84 with df 1 → p ≈ 0.05; χ² = 9.21 with df 2 → p ≈ 0.01.
        assert!((gamma_q(0.5, 3.841_458_8 / 2.0) - 0.05).abs() < 1e-6);
        assert!((gamma_q(1.0, 9.210_340_4 / 2.0) - 0.01).abs() < 1e-6);
        assert!((gamma_q(5.0, 18.307_038 / 2.0) - 0.05).abs() < 1e-6);
        // A 2×2 table worked by hand: [[20, 30], [30, 20]] → χ² = 4.0, p = 0.0455.
        let t = chi_square(&[vec![20, 30], vec![30, 20]]);
        assert!((t.chi2 - 4.0).abs() < 1e-9);
        assert!((t.p.unwrap() - 0.045_500_263_9).abs() < 1e-6);
        let sparse = chi_square(&[vec![1, 0, 2], vec![0, 3, 1]]);
        assert!(sparse.p.is_none() && sparse.note.unwrap().contains("期望频数小于5"));
    }
}
