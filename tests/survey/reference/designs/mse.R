# A replicate design's `mse` choice: variances centred at the full-sample estimate (mse =
# TRUE) or at the mean of the replicates (FALSE), on rep_bootstrap.csv (60 bootstrap
# replicates made by make_designs.R). R survey 4.1.1 on R 4.2.2.
# Run from this folder: Rscript mse.R
suppressMessages(library(survey))
d <- read.csv("rep_bootstrap.csv")
hours <- ifelse(d$hours == 99, NA, d$hours)
threshold <- ifelse(d$age <= 11, 1, ifelse(d$age <= 14, 14, 43))
d$cl <- as.numeric(d$econ == 1 & !is.na(hours) & hours >= threshold)
out <- list()
for (mse in c(TRUE, FALSE)) {
  r <- svrepdesign(data = d, weights = ~w, repweights = "repw[0-9]+", type = "bootstrap",
                   mse = mse)
  s <- subset(r, age >= 5 & age <= 17)
  m <- svymean(~cl, s)
  b <- svyby(~cl, ~sex, s, svymean)
  out[[length(out) + 1]] <- data.frame(mse = mse, level = c("total", as.character(b$sex)),
                                       estimate = c(coef(m), coef(b)), se = c(SE(m), SE(b)))
}
write.csv(do.call(rbind, out), "mse.csv", row.names = FALSE)
