# Seeded synthetic survey designs and R survey's results for them, for ipec's tests.
# Run from this folder:  Rscript make_reference.R
# Writes <name>.csv data files, results.csv (long format) and R-VERSION.txt.
suppressMessages(library(survey))
set.seed(20240611)
out <- list()
emit <- function(case, by, level, indicator, stat, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, by = by, level = as.character(level),
    indicator = indicator, stat = stat, value = format(as.numeric(value), digits = 17))
}
dcol <- function(b) b[[grep("^DEff", names(b))[1]]]
wcsv <- function(x, f) write.csv(x, f, row.names = FALSE, na = "")

# ---- data: stratified cluster sample, 6 strata x 3-5 PSUs, rows per PSU 6-14 -------------
make_clus <- function(n_strata, psus) {
  rows <- list()
  for (h in seq_len(n_strata)) for (p in seq_len(psus[h])) {
    m <- sample(6:14, 1)
    u <- rnorm(1, 0, 3)
    rows[[length(rows) + 1]] <- data.frame(stratum = h, psu = p, w = round(runif(1, 5, 40), 3) *
      runif(m, 0.8, 1.2), y = round(50 + 2 * h + u + rnorm(m, 0, 8), 4),
      b = rbinom(m, 1, plogis(-1 + 0.2 * h + u / 3)), x = round(runif(m, 1, 5), 4),
      sex = sample(c("female", "male"), m, TRUE), age = sample(c("5-11", "12-14", "15-17"), m, TRUE))
  }
  d <- do.call(rbind, rows)
  d$y[sample(nrow(d), 8)] <- NA
  d$b[sample(nrow(d), 6)] <- NA
  d
}
clus <- make_clus(6, c(3, 4, 5, 3, 4, 3))
clus$fpc <- c(10, 12, 9, 20, 8, 30)[clus$stratum]
clus$frac <- c(3 / 10, 4 / 12, 5 / 9, 3 / 20, 4 / 8, 3 / 30)[clus$stratum]
wcsv(clus, "clus.csv")
lonely <- rbind(clus[, 1:8], transform(make_clus(2, c(1, 1)), stratum = stratum + 6))
wcsv(lonely, "lonely.csv")

# ---- estimates for a Taylor design ---------------------------------------------------------
domains <- list(sex = ~sex, `sex*age` = ~sex + age)
lev <- function(b, byname) if (byname == "sex") as.character(b$sex) else paste(b$sex, b$age, sep = "*")
subsets <- function(d, byname) {
  v <- d$variables
  key <- if (byname == "sex") v$sex else paste(v$sex, v$age, sep = "*")
  lapply(sort(unique(key)), function(k) list(level = k, design = d[key == k, ]))
}
taylor_case <- function(case, d, ratios = TRUE, props = TRUE) {
  emit(case, "total", "total", "", "degf", degf(d))
  for (f in c("y", "b")) {
    fm <- as.formula(paste0("~", f))
    m <- svymean(fm, d, na.rm = TRUE, deff = TRUE)
    mr <- svymean(fm, d, na.rm = TRUE, deff = "replace")
    t <- svytotal(fm, d, na.rm = TRUE, deff = TRUE)
    tr <- svytotal(fm, d, na.rm = TRUE, deff = "replace")
    emit(case, "total", "total", f, c("mean", "mean_se", "mean_deff", "mean_deff_wr"),
         c(coef(m), SE(m), deff(m), deff(mr)))
    emit(case, "total", "total", f, c("total", "total_se", "total_deff", "total_deff_wr"),
         c(coef(t), SE(t), deff(t), deff(tr)))
    ci <- confint(m, df = degf(d))
    emit(case, "total", "total", f, c("mean_lo", "mean_hi"), ci)
    for (byname in names(domains)) {
      b <- svyby(fm, domains[[byname]], d, svymean, na.rm = TRUE, deff = TRUE)
      br <- svyby(fm, domains[[byname]], d, svymean, na.rm = TRUE, deff = "replace")
      bt <- svyby(fm, domains[[byname]], d, svytotal, na.rm = TRUE, deff = TRUE)
      L <- lev(b, byname)
      emit(case, byname, L, f, "mean", coef(b)); emit(case, byname, L, f, "mean_se", SE(b))
      emit(case, byname, L, f, "mean_deff", dcol(b)); emit(case, byname, L, f, "mean_deff_wr", dcol(br))
      emit(case, byname, L, f, "total", coef(bt)); emit(case, byname, L, f, "total_se", SE(bt))
      emit(case, byname, L, f, "total_deff", dcol(bt))
    }
  }
  for (byname in names(domains)) for (s in subsets(d, byname)) {
    emit(case, byname, s$level, "", "degf", degf(s$design))
    m <- svymean(~y, s$design, na.rm = TRUE)
    emit(case, byname, s$level, "y", c("mean_lo", "mean_hi"), confint(m, df = degf(s$design)))
  }
  if (props) {
    for (meth in c("logit", "xlogit", "beta")) {  # xlogit: same interval in closed form, no IRLS
      ci <- svyciprop(~b, d, method = meth, na.rm = TRUE)
      emit(case, "total", "total", "b", paste0("prop_", meth, c("_lo", "_hi")), attr(ci, "ci"))
      for (s in subsets(d, "sex")) {
        ci <- svyciprop(~b, s$design, method = meth, na.rm = TRUE)
        emit(case, "sex", s$level, "b", paste0("prop_", meth, c("_lo", "_hi")), attr(ci, "ci"))
      }
    }
  }
  if (ratios) {
    r <- svyratio(~y, ~x, d, na.rm = TRUE)
    emit(case, "total", "total", "y/x", c("ratio", "ratio_se"), c(coef(r), SE(r)))
    b <- svyby(~y, ~sex, d, svyratio, denominator = ~x, na.rm = TRUE)
    emit(case, "sex", b$sex, "y/x", "ratio", coef(b)); emit(case, "sex", b$sex, "y/x", "ratio_se", SE(b))
  }
}
dclus <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = clus)
taylor_case("clus", dclus)
taylor_case("clus_fpc", svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE,
                                  fpc = ~fpc, data = clus))
taylor_case("clus_frac", svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE,
                                   fpc = ~frac, data = clus))
taylor_case("nostrata", svydesign(id = ~psu, weights = ~w, data = transform(clus, psu = stratum * 10 + psu)))
taylor_case("rows_as_psu", svydesign(id = ~1, strata = ~stratum, weights = ~w, data = clus))

# ---- lonely PSUs under every policy (strata 7 and 8 have one PSU each) ----------------------
dl <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = lonely)
for (o in c("remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = o)
  taylor_case(paste0("lonely_", o), dl, ratios = FALSE, props = FALSE)
}
# survey 4.1.1 centres a lonely PSU at zero under 'adjust'; right for means (scores sum to 0) but
# wrong for totals (fixed in survey 4.3, which centres at the average PSU total). The corrected
# total variance: the 'certainty' variance plus (z_lonely - mean of all PSU totals)^2.
adjusted_total_var <- function(d, dom) {
  v <- d$variables
  inset <- dom & !is.na(v$y)
  z <- ifelse(inset, v$w * v$y, 0)
  key <- paste(v$stratum, v$psu)
  zt <- rowsum(z, key)[, 1]
  present <- rowsum(as.numeric(inset), key)[, 1] > 0
  strat_of <- sapply(strsplit(names(zt), " "), `[`, 1)
  lonely_s <- names(which(table(strat_of) == 1))
  cbar <- sum(zt) / length(zt)
  is_l <- strat_of %in% lonely_s & present
  sum((zt[is_l] - cbar)^2)
}
options(survey.lonely.psu = "certainty")
vt <- SE(svytotal(~y, dl, na.rm = TRUE))^2 + adjusted_total_var(dl, rep(TRUE, nrow(lonely)))
emit("lonely_adjust_fixed", "total", "total", "y", "total_se", sqrt(vt))
bt <- svyby(~y, ~sex, dl, svytotal, na.rm = TRUE)
for (k in seq_len(nrow(bt))) {
  vt <- SE(bt)[k]^2 + adjusted_total_var(dl, lonely$sex == bt$sex[k])
  emit("lonely_adjust_fixed", "sex", bt$sex[k], "y", "total_se", sqrt(vt))
}
options(survey.lonely.psu = "fail")

# ---- two-stage design with fpc at both stages -----------------------------------------------
two <- do.call(rbind, lapply(1:4, function(h) do.call(rbind, lapply(1:3, function(p)
  do.call(rbind, lapply(1:sample(2:4, 1), function(s) {
    m <- sample(3:6, 1)
    data.frame(stratum = h, psu = p, ssu = s, y = round(rnorm(m, 40 + h, 6), 4),
               b = rbinom(m, 1, 0.3), x = round(runif(m, 1, 3), 4),
               sex = sample(c("female", "male"), m, TRUE), age = sample(c("5-11", "12-14", "15-17"), m, TRUE),
               fpc1 = c(8, 10, 6, 12)[h], fpc2 = 5 + p)
  }))))))
two$y[c(3, 17)] <- NA
d2 <- svydesign(id = ~psu + ssu, strata = ~stratum, fpc = ~fpc1 + fpc2, nest = TRUE, data = two)
two$w <- weights(d2)
wcsv(two, "twostage.csv")
taylor_case("twostage", d2)

# ---- replicate-weight designs ---------------------------------------------------------------
rep_case <- function(case, r) {
  W <- weights(r, "analysis")
  colnames(W) <- paste0("rep", seq_len(ncol(W)))
  wcsv(cbind(clus[, c("w", "y", "b", "sex", "age")], W), paste0(case, ".csv"))
  emit(case, "", "", "", "scale", r$scale)
  emit(case, "", "", "", "rscales", r$rscales)
  emit(case, "", "", "", "degf", degf(r))
  emit(case, "", "", "", "mse", as.numeric(r$mse))
  for (f in c("y", "b")) {
    fm <- as.formula(paste0("~", f))
    m <- svymean(fm, r, na.rm = TRUE); t <- svytotal(fm, r, na.rm = TRUE)
    emit(case, "total", "total", f, c("mean", "mean_se", "total", "total_se"),
         c(coef(m), SE(m), coef(t), SE(t)))
    b <- svyby(fm, ~sex, r, svymean, na.rm = TRUE); bt <- svyby(fm, ~sex, r, svytotal, na.rm = TRUE)
    emit(case, "sex", b$sex, f, "mean", coef(b)); emit(case, "sex", b$sex, f, "mean_se", SE(b))
    emit(case, "sex", bt$sex, f, "total", coef(bt)); emit(case, "sex", bt$sex, f, "total_se", SE(bt))
  }
}
dnost <- svydesign(id = ~psu, weights = ~w, data = transform(clus, psu = stratum * 10 + psu))
rep_case("rep_jk1", as.svrepdesign(dnost, type = "JK1"))
rep_case("rep_jkn", as.svrepdesign(dclus, type = "JKn"))
two_psu <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE,
                     data = transform(clus, psu = 1 + (psu %% 2)))
rep_case("rep_brr", as.svrepdesign(two_psu, type = "BRR"))
rep_case("rep_fay", as.svrepdesign(two_psu, type = "Fay", fay.rho = 0.3))
set.seed(7)
rep_case("rep_boot", as.svrepdesign(dclus, type = "bootstrap", replicates = 40))

# ---- R survey's own api/nhanes examples: replicate weights drawn by R -------------------------
data(api)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
for (ty in c("JK1", "bootstrap")) {
  set.seed(1); r <- as.svrepdesign(dclus1, type = ty, replicates = 50)
  W <- weights(r, "analysis"); colnames(W) <- paste0("rep", seq_len(ncol(W)))
  wcsv(cbind(apiclus1[, c("pw", "api00")], W), paste0("apiclus1_", tolower(ty), ".csv"))
  emit(paste0("apiclus1_", tolower(ty)), "", "", "", "scale", r$scale)
  emit(paste0("apiclus1_", tolower(ty)), "", "", "", "rscales", r$rscales)
  m <- svymean(~api00, r)
  emit(paste0("apiclus1_", tolower(ty)), "total", "total", "api00", c("mean", "mean_se"), c(coef(m), SE(m)))
}

res <- do.call(rbind, out)
write.csv(res, "results.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("survey", as.character(packageVersion("survey")))),
           "R-VERSION.txt")
