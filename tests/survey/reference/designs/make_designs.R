# Reference values for every design feature a variable map can declare, and for replicate
# designs' degrees of freedom and intervals. R survey 4.1.1 on R 4.2.2 (see ../R-VERSION.txt).
# Run from this folder: Rscript make_designs.R (same seed, same files).
suppressMessages(library(survey))
set.seed(20261207)

# ---- a two-stage stratified file: PSU ids repeat across strata (nest), fpc at both stages --
psus <- c(2, 3, 4, 5); pop_psus <- c(10, 8, 20, 9)
rows <- list()
for (h in 1:4) for (p in seq_len(psus[h])) {
  n_ssu <- sample(2:4, 1); pop_ssu <- n_ssu + sample(2:6, 1)
  for (s in seq_len(n_ssu)) {
    k <- sample(1:3, 1)
    rows[[length(rows) + 1]] <- data.frame(
      stratum = h, psu = p, ssu = s, fpc1 = pop_psus[h], fpc2 = pop_ssu,
      age = sample(3:19, k, replace = TRUE), sex = sample(1:2, k, replace = TRUE))
  }
}
d <- do.call(rbind, rows)
n <- nrow(d)
d$region <- ifelse(d$stratum == 1, 1, 2)
d$region[d$stratum == 4 & d$psu == 2] <- 3        # a region met in one PSU only
d$econ <- ifelse(runif(n) < 0.45, 1, 2)
d$hours <- ifelse(d$econ == 1, pmin(70, round(rexp(n, 1 / 15))), NA)
d$hours[sample(which(d$econ == 1), 3)] <- 99        # unknown hours
d$attends <- ifelse(runif(n) < 0.8, 1, 2)
d$attends[sample(n, 4)] <- NA
d$fpc1_fraction <- psus[d$stratum] / d$fpc1
# the weight the two-stage design implies
d$w <- (d$fpc1 / psus[d$stratum]) * (d$fpc2 / ave(d$ssu, d$stratum, d$psu, FUN = function(x) length(unique(x))))
write.csv(d, "twostage.csv", row.names = FALSE, na = "")

# SDG 8.7.1 without chores: economic activity at or above 1 / 14 / 43 hours at 5-11 / 12-14 /
# 15-17; unknown hours (99) count as not reaching the threshold (METHODOLOGY section 2)
hours <- ifelse(d$hours == 99, NA, d$hours)
threshold <- ifelse(d$age <= 11, 1, ifelse(d$age <= 14, 14, 43))
d$cl <- as.numeric(d$econ == 1 & !is.na(hours) & hours >= threshold)
d$hrs <- hours
d$attends_yes <- as.numeric(d$attends == 1)
d$in_scope <- d$age >= 5 & d$age <= 17

out <- list()
emit <- function(case, by, level, indicator, stat, value)
  out[[length(out) + 1]] <<- data.frame(case = case, by = by, level = level,
                                        indicator = indicator, stat = stat,
                                        value = format(value, digits = 17))
domains <- function(design) {
  v <- design$variables
  c(list(total = list(level = "total", design = design)),
    lapply(setNames(nm = paste0("sex:", sort(unique(v$sex)))), function(k)
      list(level = sub("sex:", "", k), design = subset(design, sex == as.numeric(sub("sex:", "", k))))),
    lapply(setNames(nm = paste0("region:", sort(unique(v$region)))), function(k)
      list(level = sub("region:", "", k), design = subset(design, region == as.numeric(sub("region:", "", k))))))
}
proportion_rows <- function(case, design, var, methods) {
  doms <- domains(design)
  for (key in names(doms)) {
    by <- if (key == "total") "total" else sub(":.*", "", key)
    dd <- doms[[key]]$design; lev <- doms[[key]]$level
    fm <- as.formula(paste0("~", var))
    m <- svymean(fm, dd, na.rm = TRUE)
    emit(case, by, lev, var, c("estimate", "se", "df"), c(coef(m), SE(m), degf(dd)))
    if ("logit" %in% methods) {
      # svyciprop's logit refits by IRLS, which stops at glm's tolerance (1e-8 on the
      # deviance); the same interval without iteration: logit of each replicate's mean
      rm <- svymean(fm, dd, na.rm = TRUE, return.replicates = TRUE)
      eta <- qlogis(coef(rm))
      v <- suppressWarnings(svrVar(qlogis(rm$replicates), dd$scale, dd$rscales, mse = dd$mse, coef = eta))
      q <- qt(0.975, degf(dd))
      emit(case, by, lev, var, c("logit_exact_low", "logit_exact_high"),
           plogis(eta + c(-1, 1) * q * sqrt(as.numeric(v))))
    }
    for (meth in methods) {
      ci <- tryCatch(attr(suppressWarnings(svyciprop(as.formula(paste0("~", var)), dd, method = meth, na.rm = TRUE)), "ci"),
                     error = function(e) c(NA, NA))
      emit(case, by, lev, var, paste0(meth, c("_low", "_high")), as.numeric(ci))
    }
  }
}

# Taylor, two stages with fpc at both, PSU ids nested in strata; population counts
two <- svydesign(id = ~psu + ssu, strata = ~stratum, fpc = ~fpc1 + fpc2, weights = ~w,
                 nest = TRUE, data = d)
proportion_rows("twostage_fpc", subset(two, in_scope), "cl", c("xlogit", "beta"))
# the same first stage with fpc as sampling fractions, one stage (ultimate clusters)
one_frac <- svydesign(id = ~psu, strata = ~stratum, fpc = ~fpc1_fraction, weights = ~w,
                      nest = TRUE, data = d)
proportion_rows("onestage_fraction", subset(one_frac, in_scope), "cl", c("xlogit"))
# no fpc: what ignoring the map's fpc would give
nofpc <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d)
proportion_rows("onestage_nofpc", subset(nofpc, in_scope), "cl", c("xlogit"))

# file variables with the two-stage design (all rows: no profile scope)
vars <- function(case, design) {
  doms <- domains(design)
  for (key in names(doms)) {
    by <- if (key == "total") "total" else sub(":.*", "", key)
    dd <- doms[[key]]$design; lev <- doms[[key]]$level
    m <- svymean(~attends_yes, dd, na.rm = TRUE)
    emit(case, by, lev, "attends=1", c("estimate", "se", "df"), c(coef(m), SE(m), degf(dd)))
    ci <- attr(svyciprop(~attends_yes, dd, method = "xlogit", na.rm = TRUE), "ci")
    emit(case, by, lev, "attends=1", c("xlogit_low", "xlogit_high"), as.numeric(ci))
    m <- svymean(~hrs, dd, na.rm = TRUE)
    emit(case, by, lev, "hrs", c("estimate", "se"), c(coef(m), SE(m)))
    ci <- confint(m, df = degf(dd))
    emit(case, by, lev, "hrs", c("wald_low", "wald_high"), as.numeric(ci))
    t <- svytotal(~hrs, dd, na.rm = TRUE)
    emit(case, by, lev, "hrs:total", c("estimate", "se"), c(coef(t), SE(t)))
    r <- svyratio(~hrs, ~age, subset(dd, !is.na(hrs)))
    emit(case, by, lev, "hrs/age", c("estimate", "se"), c(coef(r), SE(r)))
  }
}
vars("twostage_variables", two)
# quartiles of hours, svyquantile's defaults (interval.type = "mean", qrule = "math")
for (key in c("total", "sex:1", "sex:2")) {
  dd <- if (key == "total") two else subset(two, sex == as.numeric(sub("sex:", "", key)))
  q <- svyquantile(~hrs, dd, c(0.25, 0.5, 0.75), na.rm = TRUE, ci = TRUE)[[1]]
  by <- if (key == "total") "total" else "sex"; lev <- if (key == "total") "total" else sub("sex:", "", key)
  for (i in 1:3) emit("twostage_quantiles", by, lev, paste0("hours p", c(25, 50, 75)[i]),
                      c("estimate", "ci_low", "ci_high", "se"), q[i, ])
}

# ---- replicate designs made by R from the one-stage design --------------------------------
one <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d)
rep_file <- function(case, r) {
  W <- weights(r, "analysis"); colnames(W) <- paste0("repw", seq_len(ncol(W)))
  write.csv(cbind(d[, c("stratum", "psu", "age", "sex", "region", "econ", "hours", "attends", "w")], W),
            paste0(case, ".csv"), row.names = FALSE, na = "")
  emit(case, "", "", "", "scale", r$scale)
  emit(case, "", "", "", "rscales", r$rscales)
  emit(case, "", "", "", "degf", degf(r))
  proportion_rows(case, subset(r, in_scope), "cl", c("logit", "xlogit", "beta"))
}
rep_file("rep_jkn", as.svrepdesign(one, type = "JKn"))
set.seed(11)
rep_file("rep_bootstrap", as.svrepdesign(one, type = "bootstrap", replicates = 60))
rep_file("rep_jk1", as.svrepdesign(svydesign(id = ~psu2, weights = ~w,
  data = transform(d, psu2 = stratum * 10 + psu)), type = "JK1"))

res <- do.call(rbind, out)
write.csv(res, "results.csv", row.names = FALSE)
