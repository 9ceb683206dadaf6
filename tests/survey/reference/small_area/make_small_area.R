# Reference values of the Fay-Herriot model from R package sae (Molina & Marhuenda 2015,
# "sae: An R Package for Small Area Estimation", The R Journal 7(1), 81-98), for
# tests/survey/test_small_area.py.  Run from this folder:  Rscript make_small_area.R
#
# Cases (each fitted with eblupFH and mseFH, REML and FH methods):
#   milk      sae's own data(milk): 43 small areas, direct estimates yi with standard errors
#             SD, covariate as.factor(MajorArea) - the example of ?eblupFH and
#             ?mseFH (and of the paper);
#   seeded    30 areas with two continuous covariates (set.seed below), model variance 0.04;
#   boundary  25 areas with no area effect: the REML estimate of the model variance is
#             truncated at 0 (the FH estimate is not);
#   large     300 areas, three covariates (the same fit with many areas).
# Each case is fitted twice: with sae's defaults (MAXITER = 100, PRECISION = 1e-4, the
# relative change of the model variance between iterations) and converged (PRECISION = 1e-13).
# Writes <case>.csv (the data), results.csv (long format: case, method, precision, what,
# name, value; numbers with 17 significant digits) and R-VERSION.txt.
# sae is not packaged by Debian (bookworm): version 1.3 (2020-03-01, the current CRAN release)
# was installed from its CRAN sources (the read-only mirror github.com/cran/sae, tag 1.3) with
# R CMD INSTALL; it needs MASS and lme4 (Debian r-cran-mass, r-cran-lme4).
suppressMessages(library(sae))
f17 <- function(x) sprintf("%.17g", x)
out <- list()
emit <- function(case, method, precision, what, name, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, method = method, precision = precision,
    what = what, name = as.character(name), value = f17(as.numeric(value)))
}
fit_case <- function(case, formula, vardir, data) {
  for (method in c("REML", "FH")) for (precision in c(1e-4, 1e-13)) {
    p <- format(precision)
    data$vardir__ <- vardir
    e <- eblupFH(formula, vardir__, method = method, PRECISION = precision, MAXITER = 100,
                 data = data)
    m <- mseFH(formula, vardir__, method = method, PRECISION = precision, MAXITER = 100,
               data = data)
    stopifnot(e$fit$convergence, all.equal(e$eblup, m$est$eblup))
    emit(case, method, p, "eblup", seq_along(e$eblup), e$eblup)
    emit(case, method, p, "mse", seq_along(m$mse), m$mse)
    coef <- e$fit$estcoef
    emit(case, method, p, "beta", rownames(coef), coef$beta)
    emit(case, method, p, "beta_se", rownames(coef), coef$std.error)
    emit(case, method, p, "beta_p", rownames(coef), coef$pvalue)
    emit(case, method, p, "refvar", "A", e$fit$refvar)
    emit(case, method, p, "iterations", "k", e$fit$iterations)
    emit(case, method, p, "goodness", names(e$fit$goodness), e$fit$goodness)
  }
}

# ---- milk: the paper's example -------------------------------------------------------------
data(milk)
write.csv(milk, "milk.csv", row.names = FALSE)
fit_case("milk", yi ~ as.factor(MajorArea), milk$SD^2, milk)

# ---- seeded synthetic areas ------------------------------------------------------------------
set.seed(20261201)
make_areas <- function(m, A, beta, k) {
  x <- matrix(round(runif(m * k, 0, 1), 6), m, k)
  psi <- round(runif(m, 0.005, 0.08), 6)
  y <- round(drop(cbind(1, x) %*% beta) + rnorm(m, 0, sqrt(A)) + rnorm(m, 0, sqrt(psi)), 6)
  d <- data.frame(area = sprintf("A%03d", seq_len(m)), y = y, psi = psi)
  for (j in seq_len(k)) d[[paste0("x", j)]] <- x[, j]
  d
}
seeded <- make_areas(30, 0.04, c(0.2, 0.3, -0.15), 2)
write.csv(seeded, "seeded.csv", row.names = FALSE)
fit_case("seeded", y ~ x1 + x2, seeded$psi, seeded)

boundary <- make_areas(25, 0, c(0.3, 0.1, 0.05), 2)
write.csv(boundary, "boundary.csv", row.names = FALSE)
fit_case("boundary", y ~ x1 + x2, boundary$psi, boundary)

large <- make_areas(300, 0.02, c(0.1, 0.2, 0.1, -0.1), 3)
write.csv(large, "large.csv", row.names = FALSE)
fit_case("large", y ~ x1 + x2 + x3, large$psi, large)

write.csv(do.call(rbind, out), "results.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("sae", packageVersion("sae")),
             paste("MASS", packageVersion("MASS")), paste("lme4", packageVersion("lme4"))),
           "R-VERSION.txt")
