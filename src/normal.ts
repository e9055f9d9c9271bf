// The standard normal CDF and quantile in float64, as the wasm core computes them for
// truncated-normal sampling (assembly/random.ts): used by the pure-JS twin and for the
// moments that initializers promise.

/** Phi(x) = erfc(-x / sqrt 2) / 2, erfc by the Chebyshev fit of Numerical Recipes
 *  (Press et al. 1992, section 6.2, "erfcc": fractional error < 1.2e-7 everywhere). */
export function normalCdf(x: number): number {
  const y = -x * Math.SQRT1_2;
  const ay = Math.abs(y);
  const t = 1 / (1 + 0.5 * ay);
  const r =
    t *
    Math.exp(
      -ay * ay -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return 0.5 * (y >= 0 ? r : 2 - r);
}

/** Phi^-1(p) by P. J. Acklam's rational approximations (relative error < 1.15e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < 0.02425 || p > 0.97575) {
    const q = Math.sqrt(-2 * Math.log(p < 0.5 ? p : 1 - p));
    const x =
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q +
        4.374664141464968) *
        q +
        2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1);
    return p < 0.5 ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r -
      3.066479806614716e1) *
      r +
      2.506628277459239) *
      q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r -
      1.328068155288572e1) *
      r +
      1)
  );
}
