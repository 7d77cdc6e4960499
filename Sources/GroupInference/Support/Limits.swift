/// Sizes the library refuses beyond, before allocating; mirrored by the
/// GI_MAX_* macros of include/group_inference.h.
public enum Limits {
    public static let maxCandidates = 8192
    public static let maxSteps = 100_000
    public static let maxEmbeddingDimension = 16384
    public static let maxScorers = 64
    public static let maxExactCandidates = 256
    public static let maxScorerNameBytes = 255
    /// Largest |u_i| and |λ·b_ij| a problem may hold: sums of n² such terms
    /// stay far from float64's overflow, and GLPK's simplex stays finite.
    public static let maxMagnitude = 1e150
}
