# Seeded synthetic data of three surveys (countries A, B, C) stacked in one file, and R
# survey's pooled estimates, for tests/survey/test_pooling.py.  Run from this folder:
#   Rscript make_pooled.R
# The surveys reuse the same stratum and cluster codes (1, 2, ...) and their weights are on
# different scales (expansion factors, normalised weights, thousands), as stacked national
# files are.  The pooled design is written here from its definition, not from ipec: strata
# are interaction(country, strat), clusters nested in them (nest = TRUE), and the weights
# rescaled per country by R's own ave():
#   none        the file's weights;
#   sample      each country's weights times (its cases / the sum of its weights);
#   population  each country's weights times (its population / the sum of its weights).
# df: degf() of the pooled design and of each country's subset (clusters minus strata).
# Writes pooled.csv (data) and results.csv (case, by, level, indicator, stat, value; numbers
# with 17 significant digits).
suppressMessages(library(survey))
set.seed(20261208)
countries <- list(A = list(strata = 3, psus = 4, scale = 400),
                  B = list(strata = 2, psus = 5, scale = 1),
                  C = list(strata = 4, psus = 3, scale = 1000))
rows <- list()
for (k in names(countries)) {
  spec <- countries[[k]]
  shift <- match(k, names(countries)) * 0.4
  for (h in seq_len(spec$strata)) for (p in seq_len(spec$psus)) {
    m <- sample(6:14, 1)
    u <- rnorm(1, 0, 0.8)
    age <- sample(5:17, m, TRUE)
    worked <- ifelse(runif(m) < plogis(-1.6 + shift + 0.12 * (age - 11) + u), 1, 2)
    worked[sample.int(m, 1)] <- 9  # a no response in every cluster
    hours <- ifelse(worked == 1, round(runif(m, 1, 30) + 4 * shift + 2 * u, 1), NA)
    rows[[length(rows) + 1]] <- data.frame(
      country = k, strat = h, ea = p,
      wgt = round(spec$scale * runif(1, 0.6, 1.6) * runif(m, 0.8, 1.2), 4),
      age = age, sex = sample(1:2, m, TRUE), worked_7d = worked, hrs_work = hours)
  }
}
d <- do.call(rbind, rows)
write.csv(d, "pooled.csv", row.names = FALSE, na = "")

populations <- c(A = 2500000, B = 800000, C = 1200000)
d$w_none <- d$wgt
d$w_sample <- ave(d$wgt, d$country, FUN = function(w) w * length(w) / sum(w))
d$w_population <- d$wgt * populations[d$country] / ave(d$wgt, d$country, FUN = sum)
d$worked <- ifelse(d$worked_7d == 9, NA, as.numeric(d$worked_7d == 1))

out <- list()
emit <- function(case, by, level, indicator, stat, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, by = by, level = level,
    indicator = indicator, stat = stat, value = sprintf("%.17g", as.numeric(value)))
}
for (case in c("none", "sample", "population")) {
  des <- svydesign(ids = ~ea, strata = ~interaction(country, strat), nest = TRUE,
                   weights = as.formula(paste0("~w_", case)), data = d)
  for (ind in c("worked", "hrs_work")) {
    f <- as.formula(paste0("~", ind))
    est <- svymean(f, des, na.rm = TRUE)
    emit(case, "total", "total", ind, "estimate", coef(est))
    emit(case, "total", "total", ind, "se", SE(est))
    emit(case, "total", "total", ind, "df", degf(des))
    for (k in names(countries)) {
      sub <- subset(des, country == k)
      est <- svymean(f, sub, na.rm = TRUE)
      emit(case, "survey", k, ind, "estimate", coef(est))
      emit(case, "survey", k, ind, "se", SE(est))
      emit(case, "survey", k, ind, "df", degf(sub))
    }
  }
  emit(case, "total", "total", "weights", "sum", sum(weights(des)))
}
res <- do.call(rbind, out)
write.csv(res, "results.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("survey", packageVersion("survey"))), "R-VERSION.txt")
