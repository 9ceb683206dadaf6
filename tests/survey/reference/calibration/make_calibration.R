# Seeded synthetic data and R survey's post-stratified and raked results, for
# tests/survey/test_calibrate.py.  Run from this folder:  Rscript make_calibration.R
# Writes clus_cal.csv (data), totals.csv (population totals), rep_<type>.csv (replicate
# weights from as.svrepdesign), weights_<case>.csv (R's calibrated weights) and results.csv
# (long format: case, by, level, indicator, stat, value), all numbers with 17 significant digits.
suppressMessages(library(survey))
set.seed(20250307)
out <- list()
emit <- function(case, by, level, indicator, stat, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, by = by, level = as.character(level),
    indicator = indicator, stat = stat, value = format(as.numeric(value), digits = 17))
}
wcsv <- function(x, f) write.csv(x, f, row.names = FALSE, na = "")
rcsv <- function(f) read.csv(f, na.strings = "", stringsAsFactors = FALSE)
f17 <- function(x) sprintf("%.17g", x)

# ---- data: 5 strata x 3-5 PSUs (fpc = PSUs in the stratum), 8-16 rows per PSU --------------
ages <- c("0-4", "5-11", "12-14", "15-17")
regions <- c("north", "centre", "south")
rows <- list()
psus <- c(3, 4, 5, 3, 4)
for (h in seq_along(psus)) for (p in seq_len(psus[h])) {
  m <- sample(8:16, 1)
  u <- rnorm(1, 0, 3)
  rows[[length(rows) + 1]] <- data.frame(stratum = h, psu = p,
    w = round(runif(1, 10, 40) * runif(m, 0.7, 1.3), 4),
    y = round(40 + 3 * h + u + rnorm(m, 0, 7), 4),
    b = rbinom(m, 1, plogis(-0.8 + 0.25 * h + u / 3)),
    x = round(runif(m, 1, 4), 4),
    sex = sample(c("female", "male"), m, TRUE),
    agegrp = sample(ages, m, TRUE, prob = c(0.3, 0.35, 0.2, 0.15)),
    region = sample(regions, m, TRUE, prob = c(0.2 + 0.1 * h, 0.3, 0.5 - 0.1 * h + 0.2)))
}
clus <- do.call(rbind, rows)
clus$y[sample(nrow(clus), 9)] <- NA
clus$b[sample(nrow(clus), 6)] <- NA
clus$fpc <- c(9, 11, 14, 7, 10)[clus$stratum]
wcsv(clus, "clus_cal.csv")
clus <- rcsv("clus_cal.csv")  # the very values the tests read

# ---- population totals: the sample's weighted totals, shifted, rounded to whole numbers --------
wt_age <- tapply(clus$w, clus$agegrp, sum)
wt_reg <- tapply(clus$w, clus$region, sum)
pop_age <- data.frame(agegrp = names(wt_age),
                      Freq = round(wt_age * c(`0-4` = 1.15, `12-14` = 0.85, `15-17` = 1.1, `5-11` = 0.95)[names(wt_age)]))
pop_reg <- data.frame(region = names(wt_reg),
                      Freq = round(wt_reg * c(centre = 1.1, north = 0.9, south = 1.05)[names(wt_reg)]))
# raking needs margins with one grand total: the last region takes up the difference
pop_reg$Freq[3] <- sum(pop_age$Freq) - sum(pop_reg$Freq[1:2])
wcsv(rbind(data.frame(variable = "agegrp", level = pop_age$agegrp, total = f17(pop_age$Freq)),
           data.frame(variable = "region", level = pop_reg$region, total = f17(pop_reg$Freq))),
     "totals.csv")

# ---- estimates ------------------------------------------------------------------------------
taylor_case <- function(case, d) {
  emit(case, "total", "total", "", "degf", degf(d))
  for (f in c("y", "b")) {
    fm <- as.formula(paste0("~", f))
    m <- svymean(fm, d, na.rm = TRUE, deff = TRUE)
    t <- svytotal(fm, d, na.rm = TRUE, deff = TRUE)
    emit(case, "total", "total", f, c("mean", "mean_se", "mean_deff"), c(coef(m), SE(m), deff(m)))
    emit(case, "total", "total", f, c("total", "total_se", "total_deff"), c(coef(t), SE(t), deff(t)))
    emit(case, "total", "total", f, c("mean_lo", "mean_hi"), confint(m, df = degf(d)))
    b <- svyby(fm, ~sex, d, svymean, na.rm = TRUE, deff = TRUE)
    bt <- svyby(fm, ~sex, d, svytotal, na.rm = TRUE, deff = TRUE)
    emit(case, "sex", b$sex, f, "mean", coef(b)); emit(case, "sex", b$sex, f, "mean_se", SE(b))
    emit(case, "sex", b$sex, f, "mean_deff", b[[grep("^DEff", names(b))[1]]])
    emit(case, "sex", bt$sex, f, "total", coef(bt)); emit(case, "sex", bt$sex, f, "total_se", SE(bt))
    emit(case, "sex", bt$sex, f, "total_deff", bt[[grep("^DEff", names(bt))[1]]])
  }
  ci <- svyciprop(~b, d, method = "xlogit", na.rm = TRUE)
  emit(case, "total", "total", "b", c("prop_xlogit_lo", "prop_xlogit_hi"), attr(ci, "ci"))
  for (s in c("female", "male")) {
    ds <- subset(d, sex == s)
    emit(case, "sex", s, "", "degf", degf(ds))
    ci <- svyciprop(~b, ds, method = "xlogit", na.rm = TRUE)
    emit(case, "sex", s, "b", c("prop_xlogit_lo", "prop_xlogit_hi"), attr(ci, "ci"))
    m <- svymean(~y, ds, na.rm = TRUE)
    emit(case, "sex", s, "y", c("mean_lo", "mean_hi"), confint(m, df = degf(ds)))
  }
  r <- svyratio(~y, ~x, d, na.rm = TRUE)
  emit(case, "total", "total", "y/x", c("ratio", "ratio_se"), c(coef(r), SE(r)))
  b <- svyby(~y, ~sex, d, svyratio, denominator = ~x, na.rm = TRUE)
  emit(case, "sex", b$sex, "y/x", "ratio", coef(b)); emit(case, "sex", b$sex, "y/x", "ratio_se", SE(b))
}
rep_case <- function(case, d) {
  emit(case, "", "", "", "degf", degf(d))
  for (f in c("y", "b")) {
    fm <- as.formula(paste0("~", f))
    m <- svymean(fm, d, na.rm = TRUE); t <- svytotal(fm, d, na.rm = TRUE)
    emit(case, "total", "total", f, c("mean", "mean_se", "total", "total_se"),
         c(coef(m), SE(m), coef(t), SE(t)))
    b <- svyby(fm, ~sex, d, svymean, na.rm = TRUE); bt <- svyby(fm, ~sex, d, svytotal, na.rm = TRUE)
    emit(case, "sex", b$sex, f, "mean", coef(b)); emit(case, "sex", b$sex, f, "mean_se", SE(b))
    emit(case, "sex", bt$sex, f, "total", coef(bt)); emit(case, "sex", bt$sex, f, "total_se", SE(bt))
  }
}
# raking's convergence: did R warn, and how close the raked weights come to each margin
rake_quiet <- function(...) {
  warned <- FALSE
  d <- withCallingHandlers(rake(...), warning = function(w) {
    warned <<- TRUE; invokeRestart("muffleWarning")
  })
  list(design = d, converged = !warned)
}
calibrations <- function(d) {
  rk <- function(control) rake_quiet(d, list(~agegrp, ~region), list(pop_age, pop_reg),
                                     control = control)
  list(ps = list(design = postStratify(d, ~agegrp, pop_age), converged = TRUE),
       rake = rk(list(maxit = 10, epsilon = 1, verbose = FALSE)),
       rake_tight = rk(list(maxit = 100, epsilon = 1e-13, verbose = FALSE)),
       rake_short = rk(list(maxit = 1, epsilon = 1, verbose = FALSE)))
}
margin_gap <- function(case, w) {
  emit(case, "", "", "", "age_gap", max(abs(tapply(w, clus$agegrp, sum)[pop_age$agegrp] - pop_age$Freq)))
  emit(case, "", "", "", "region_gap", max(abs(tapply(w, clus$region, sum)[pop_reg$region] - pop_reg$Freq)))
}

# ---- Taylor: stratified cluster design with fpc ------------------------------------------------
dfpc <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, nest = TRUE, data = clus)
taylor_case("uncalibrated", dfpc)
cals <- calibrations(dfpc)
wt <- data.frame(row = seq_len(nrow(clus)))
for (case in names(cals)) {
  d <- cals[[case]]$design
  emit(case, "", "", "", "converged", as.numeric(cals[[case]]$converged))
  wt[[case]] <- f17(weights(d))
  margin_gap(case, weights(d))
  taylor_case(case, d)
}
wcsv(wt, "weights_taylor.csv")

# ---- replicate designs from as.svrepdesign, calibrated by R weight column by weight column -----
dnofpc <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = clus)
set.seed(11)
reps <- list(jkn = as.svrepdesign(dnofpc, type = "JKn"),
             boot = as.svrepdesign(dnofpc, type = "bootstrap", replicates = 30))
for (ty in names(reps)) {
  r <- reps[[ty]]
  W <- weights(r, "analysis"); colnames(W) <- paste0("rep", seq_len(ncol(W)))
  f <- paste0("rep_", ty, ".csv")
  wcsv(cbind(clus[, c("w", "y", "b", "x", "sex", "agegrp", "region")], W), f)
  back <- rcsv(f)
  rd <- svrepdesign(data = back, weights = ~w, repweights = "rep[0-9]+", combined.weights = TRUE,
                    type = if (ty == "jkn") "JKn" else "bootstrap", scale = r$scale,
                    rscales = r$rscales, mse = r$mse)
  case <- paste0("rep_", ty)
  emit(case, "", "", "", "scale", rd$scale)
  emit(case, "", "", "", "rscales", rd$rscales)
  rep_case(case, rd)
  for (cal in names(cals)) {
    rc <- calibrations(rd)[[cal]]
    cc <- paste0(case, "_", cal)
    emit(cc, "", "", "", "converged", as.numeric(rc$converged))
    CW <- cbind(w = weights(rc$design, "sampling"), weights(rc$design, "analysis"))
    colnames(CW) <- c("w", paste0("rep", seq_len(ncol(W))))
    wcsv(as.data.frame(apply(CW, 2, f17)), paste0("weights_", cc, ".csv"))
    rep_case(cc, rc$design)
  }
}

res <- do.call(rbind, out)
write.csv(res, "results.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("survey", as.character(packageVersion("survey")))),
           "R-VERSION.txt")
