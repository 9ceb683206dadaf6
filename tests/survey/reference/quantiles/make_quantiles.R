# Seeded synthetic designs and R survey's svyquantile() results for them, for ipec's tests
# (tests/survey/test_quantiles.py). Run from this folder:  Rscript make_quantiles.R
# Writes clus.csv (stratified cluster sample with fpc), strat.csv (stratified element sample
# with equal weights, so cumulative weights hit p * total exactly), rep_jkn.csv and
# rep_boot.csv (replicate weights exported from as.svrepdesign), and results.csv (long format,
# 17 significant digits). Every estimate is computed on the data read back from the CSV files,
# so R and Python see the very same numbers.
suppressMessages(library(survey))
set.seed(20240917)
out <- list()
emit <- function(case, by, level, qrule, p, stat, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, by = by, level = as.character(level),
    qrule = qrule, quantile = format(p, digits = 17), stat = stat,
    value = format(as.numeric(value), digits = 17))
}
wcsv <- function(x, f) write.csv(x, f, row.names = FALSE, na = "")
probs <- c(0.1, 0.25, 0.5, 0.75, 0.9)
qrules <- c("math", "hf7", "school")

# ---- data: 6 strata x 3-5 PSUs, 5-12 rows per PSU; y rounded to integers (many ties) ---------
rows <- list()
psus <- c(3, 4, 5, 3, 4, 3)
for (h in seq_along(psus)) for (p in seq_len(psus[h])) {
  m <- sample(5:12, 1)
  u <- rnorm(1, 0, 4)
  rows[[length(rows) + 1]] <- data.frame(stratum = h, psu = p,
    w = round(round(runif(1, 5, 40), 3) * runif(m, 0.8, 1.2), 4),
    y = round(30 + 2 * h + u + rnorm(m, 0, 8)),
    sex = sample(c("female", "male"), m, TRUE),
    grp = sample(c("a", "b"), m, TRUE))
}
clus <- do.call(rbind, rows)
clus$y[sample(nrow(clus), 10)] <- NA
# a small domain: 5 rows in two PSUs of stratum 2 (df 1), and a tiny one: 2 rows in one PSU (df 0)
s2 <- which(clus$stratum == 2 & clus$psu %in% c(1, 2))
clus$grp[s2[c(1, 2, 3, length(s2) - 1, length(s2))]] <- "small"
s5 <- which(clus$stratum == 5 & clus$psu == 3)
clus$grp[s5[1:2]] <- "tiny"
clus$y[s5[1:2]] <- c(40, 41)
clus$fpc <- c(10, 12, 9, 20, 8, 30)[clus$stratum]
wcsv(clus, "clus.csv")
clus <- read.csv("clus.csv")

# stratified element sample, equal weights and 60 values: cumulative weights hit p * total
# exactly, where 'math' and 'school' part
strat <- data.frame(stratum = rep(1:3, c(20, 26, 16)))
strat$w <- 2.5
strat$y <- sample(1:40, nrow(strat), TRUE)
strat$y[c(3, 30)] <- NA
strat$sex <- sample(c("female", "male"), nrow(strat), TRUE)
wcsv(strat, "strat.csv")
strat <- read.csv("strat.csv")

run <- function(case, d, specs, n_of) {
  doms <- list(list(by = "total", level = "total", design = d))
  for (byname in specs) {
    cols <- strsplit(byname, "*", fixed = TRUE)[[1]]
    key <- do.call(paste, c(lapply(cols, function(c) d$variables[[c]]), sep = "*"))
    for (k in sort(unique(key))) doms[[length(doms) + 1]] <- list(by = byname, level = k,
      design = d[key == k, ])
  }
  for (dom in doms) {
    sub <- dom$design
    ok <- !is.na(sub$variables$y)
    nona <- sub[ok, ]  # what svyquantile(na.rm = TRUE) estimates on
    df <- degf(nona)
    n <- if (inherits(sub, "svyrep.design")) sum(ok) else sum(ok & is.finite(sub$prob))
    for (qr in qrules) {
      r <- tryCatch(suppressWarnings(svyquantile(~y, sub, probs, na.rm = TRUE, qrule = qr,
                                                 ci = TRUE)$y), error = function(e) NULL)
      if (is.null(r)) next  # R's hf7 needs two observations
      for (i in seq_along(probs)) {
        emit(case, dom$by, dom$level, qr, probs[i], c("estimate", "ci_low", "ci_high", "se"),
             r[i, ])
        emit(case, dom$by, dom$level, qr, probs[i], c("df", "n"), c(df, n))
      }
    }
  }
}

dclus <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, nest = TRUE,
                   data = clus)
run("clus", dclus, c("sex", "grp", "sex*grp"))
dstrat <- svydesign(id = ~1, strata = ~stratum, weights = ~w, data = strat)
run("strat", dstrat, c("sex"))

# ---- replicate designs: weights drawn by R, then read back as svrepdesign ---------------------
nofpc <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = clus)
rep_case <- function(case, r) {
  W <- weights(r, "analysis"); colnames(W) <- paste0("rep", seq_len(ncol(W)))
  wcsv(cbind(clus[, c("w", "y", "sex", "grp")], W), paste0(case, ".csv"))
  back <- read.csv(paste0(case, ".csv"))
  d <- svrepdesign(data = back, weights = ~w, repweights = "rep[0-9]+", type = r$type,
                   scale = r$scale, rscales = r$rscales, mse = r$mse, combined.weights = TRUE)
  emit(case, "", "", "", 0, "scale", r$scale)
  for (i in seq_along(r$rscales)) emit(case, "", "", "", 0, paste0("rscale", i), r$rscales[i])
  emit(case, "", "", "", 0, "mse", as.numeric(r$mse))
  run(case, d, c("sex", "grp"))
}
rep_case("rep_jkn", as.svrepdesign(nofpc, type = "JKn"))
set.seed(11)
rep_case("rep_boot", as.svrepdesign(nofpc, type = "bootstrap", replicates = 30))

wcsv(do.call(rbind, out), "results.csv")
writeLines(c(R.version.string, paste("survey", packageVersion("survey"))), "R-VERSION.txt")
