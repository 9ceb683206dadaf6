# Replicate weights made by R survey's as.svrepdesign, for ipec.survey.make_replicates tests.
# Run from this folder:  Rscript make_replicates.R
# Writes the seeded data (<data>.csv), R's replicate weights (r_<case>.csv: analysis weights,
# rows as in the data), and results.csv (scale, rscales, degf, estimates and SEs).
# Step 2: boot_ours.csv holds OUR bootstrap weights (written by
#   .venv/bin/python tests/survey/test_make_replicates.py   from the repository root);
# when present, R's svrepdesign estimates with those weights go to boot_ours_r.csv.
suppressMessages(library(survey))
set.seed(20250301)
out <- list()
emit <- function(case, by, level, stat, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, by = by, level = as.character(level),
    stat = stat, value = format(as.numeric(value), digits = 17))
}
full <- function(x) {  # every number at 17 significant digits, NA as empty
  for (k in names(x)) if (is.numeric(x[[k]])) {
    v <- format(x[[k]], digits = 17, trim = TRUE); v[is.na(x[[k]])] <- ""; x[[k]] <- v
  }
  x
}
wcsv <- function(x, f) write.csv(full(x), f, row.names = FALSE, na = "", quote = FALSE)

make <- function(psus, lab = seq_along(psus)) {
  rows <- list()
  for (h in seq_along(psus)) for (p in seq_len(psus[h])) {
    m <- sample(4:9, 1)
    u <- rnorm(1, 0, 3)
    rows[[length(rows) + 1]] <- data.frame(stratum = lab[h], psu = p, w = round(runif(1, 5, 40), 3) *
      runif(m, 0.8, 1.2), y = round(50 + 2 * h + u + rnorm(m, 0, 8), 4),
      sex = sample(c("female", "male"), m, TRUE))
  }
  d <- do.call(rbind, rows)
  d$y[sample(nrow(d), 3)] <- NA
  d[sample(nrow(d)), ]  # rows out of stratum order: R numbers units by first appearance
}

# stratified clusters; stratum 3 is sampled exhaustively under fpc (N_h = n_h)
strat <- make(c(3, 4, 2, 5, 3, 4), lab = c(10, 2, 7, 1, 12, 5))
strat$fpc <- c(`10` = 9, `2` = 20, `7` = 2, `1` = 11, `12` = 30, `5` = 8)[as.character(strat$stratum)]
strat$frac <- c(`10` = 3 / 9, `2` = 4 / 20, `7` = 1, `1` = 5 / 11, `12` = 3 / 30, `5` = 4 / 8)[as.character(strat$stratum)]
wcsv(strat, "strat.csv")
# unstratified clusters (ids unique)
clus <- transform(strat, psu = stratum * 10 + psu, fpc = 60, frac = 21 / 60)
wcsv(clus, "clus.csv")
# strata 3 and 8 have a single PSU
lonely <- make(c(3, 2, 1, 4, 2, 3, 3, 1))
wcsv(lonely, "lonely.csv")
# pairs: 10 strata (R uses a 12 x 12 Paley matrix) and 12 strata (its 16 x 16 matrix)
pairs10 <- make(rep(2, 10))
wcsv(pairs10, "pairs10.csv")
pairs12 <- make(rep(2, 12))
wcsv(pairs12, "pairs12.csv")
# two stages with fpc at both
two <- do.call(rbind, lapply(1:4, function(h) do.call(rbind, lapply(1:sample(2:4, 1), function(p)
  do.call(rbind, lapply(1:sample(2:3, 1), function(s) {
    m <- sample(2:5, 1)
    data.frame(stratum = h, psu = p, ssu = s, y = round(rnorm(m, 40 + h, 6), 4),
               sex = sample(c("female", "male"), m, TRUE), fpc1 = c(8, 10, 6, 12)[h], fpc2 = 6)
  }))))))
two$w <- weights(svydesign(id = ~psu + ssu, strata = ~stratum, fpc = ~fpc1 + fpc2, nest = TRUE,
                           data = two))
two <- two[sample(nrow(two)), ]
wcsv(two, "twostage.csv")

rep_case <- function(case, d, r, data) {
  W <- weights(r, "analysis")
  colnames(W) <- paste0("rep", seq_len(ncol(W)))
  wcsv(as.data.frame(W), paste0("r_", case, ".csv"))
  emit(case, "", "", "scale", r$scale)
  emit(case, "", "", "rscales", r$rscales)
  emit(case, "", "", "degf", degf(r))
  emit(case, "", "", "replicates", ncol(W))
  m <- svymean(~y, r, na.rm = TRUE); t <- svytotal(~y, r, na.rm = TRUE)
  emit(case, "total", "total", c("mean", "mean_se", "total", "total_se"),
       c(coef(m), SE(m), coef(t), SE(t)))
  b <- svyby(~y, ~sex, r, svymean, na.rm = TRUE); bt <- svyby(~y, ~sex, r, svytotal, na.rm = TRUE)
  emit(case, "sex", b$sex, "mean", coef(b)); emit(case, "sex", b$sex, "mean_se", SE(b))
  emit(case, "sex", bt$sex, "total", coef(bt)); emit(case, "sex", bt$sex, "total_se", SE(bt))
  # the linearised SE of the total, for the exactness of BRR/Fay totals (any balanced set)
  emit(case, "total", "total", "taylor_total_se", SE(svytotal(~y, d, na.rm = TRUE)))
}
ds <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = strat)
dsf <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, fpc = ~fpc, data = strat)
dsr <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, fpc = ~frac, data = strat)
dc <- svydesign(id = ~psu, weights = ~w, data = clus)
dcf <- svydesign(id = ~psu, weights = ~w, fpc = ~fpc, data = clus)
dcr <- svydesign(id = ~psu, weights = ~w, fpc = ~frac, data = clus)
rep_case("jk1", dc, as.svrepdesign(dc, type = "JK1"))
rep_case("jk1_fpc", dcf, as.svrepdesign(dcf, type = "JK1"))
rep_case("jk1_frac", dcr, as.svrepdesign(dcr, type = "JK1"))
rep_case("jkn", ds, as.svrepdesign(ds, type = "JKn"))
rep_case("jkn_fpc", dsf, as.svrepdesign(dsf, type = "JKn"))
rep_case("jkn_frac", dsr, as.svrepdesign(dsr, type = "JKn"))
dl <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = lonely)
for (o in c("adjust", "average", "remove", "certainty")) {
  options(survey.lonely.psu = o)
  rep_case(paste0("jkn_lonely_", o), dl, as.svrepdesign(dl, type = "JKn"))
}
options(survey.lonely.psu = "fail")
emit("jkn_lonely_fail", "", "", "error",
     as.numeric(inherits(try(as.svrepdesign(dl, type = "JKn"), silent = TRUE), "try-error")))
d2 <- svydesign(id = ~psu + ssu, strata = ~stratum, fpc = ~fpc1 + fpc2, nest = TRUE, data = two)
rep_case("jkn_twostage", d2, suppressWarnings(as.svrepdesign(d2, type = "JKn")))
for (nm in c("pairs10", "pairs12")) {
  dat <- get(nm)
  dp <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = dat)
  rep_case(paste0("brr_", nm), dp, as.svrepdesign(dp, type = "BRR"))
  rep_case(paste0("fay_", nm), dp, as.svrepdesign(dp, type = "Fay", fay.rho = 0.3))
}
# bootstrap: R's draws are random, its scale is not
for (nm in c("ds", "dsf")) {
  set.seed(11)
  r <- as.svrepdesign(get(nm), type = "bootstrap", replicates = 60)
  emit(paste0("boot_", nm), "", "", "scale", r$scale)
  emit(paste0("boot_", nm), "", "", "degf", degf(r))
  W <- round(weights(r, "analysis") / weights(get(nm)), 9)
  # R's structure: every replicate draws n_h PSUs in each stratum
  per <- rowsum(W[!duplicated(strat$psu + 100 * strat$stratum), ],
                strat$stratum[!duplicated(strat$psu + 100 * strat$stratum)])
  emit(paste0("boot_", nm), "", "", "draws_per_stratum_ok",
       as.numeric(all(per == as.vector(table(strat$stratum[!duplicated(strat$psu + 100 * strat$stratum)])))))
}

res <- do.call(rbind, out)
write.csv(res, "results.csv", row.names = FALSE, quote = TRUE)

# ---- step 2: OUR bootstrap weights through R's svrepdesign -----------------------------------
if (file.exists("boot_ours.csv")) {
  ours <- read.csv("boot_ours.csv")
  reps <- grep("^repw[0-9]+$", names(ours))
  meta <- read.csv("boot_ours_meta.csv")
  rd <- svrepdesign(data = ours, weights = ~w, repweights = ours[, reps], type = "bootstrap",
                    combined.weights = TRUE, scale = meta$scale, rscales = 1)
  out <- list()
  m <- svymean(~y, rd, na.rm = TRUE); t <- svytotal(~y, rd, na.rm = TRUE)
  emit("boot_ours", "total", "total", c("mean", "mean_se", "total", "total_se"),
       c(coef(m), SE(m), coef(t), SE(t)))
  b <- svyby(~y, ~sex, rd, svymean, na.rm = TRUE)
  emit("boot_ours", "sex", b$sex, "mean", coef(b)); emit("boot_ours", "sex", b$sex, "mean_se", SE(b))
  emit("boot_ours", "", "", "degf", degf(rd))
  write.csv(do.call(rbind, out), "boot_ours_r.csv", row.names = FALSE, quote = TRUE)
}
writeLines(c(R.version.string, paste("survey", as.character(packageVersion("survey")))),
           "R-VERSION.txt")

# R's hadamard() for a range of strata counts: n, rows, then the 0/1 entries row by row
con <- file("hadamard.txt", "w")
for (n in c(1:40, 50, 100, 127)) {
  H <- hadamard(n)
  writeLines(paste(n, nrow(H), paste(t(H), collapse = "")), con)
}
close(con)
