# A PSU with a single second-stage unit under each lonely-PSU policy: twostage.csv without
# the second and later SSUs of PSU 1 in stratum 2. R survey 4.1.1 on R 4.2.2.
# Run from this folder: Rscript lonely_ssu.R
suppressMessages(library(survey))
d <- read.csv("twostage.csv")
d <- d[!(d$stratum == 2 & d$psu == 1 & d$ssu > 1), ]
d$cl <- as.numeric(d$econ == 1)
out <- list()
for (p in c("remove", "average", "adjust", "certainty")) {
  options(survey.lonely.psu = p)
  des <- svydesign(ids = ~psu + ssu, strata = ~stratum, fpc = ~fpc1 + fpc2, weights = ~w,
                   data = d, nest = TRUE)
  m <- svymean(~cl, des)
  b <- svyby(~cl, ~region, des, svymean)
  out[[p]] <- data.frame(policy = p, level = c("total", as.character(b$region)),
                         estimate = c(coef(m), coef(b)), se = c(SE(m), SE(b)))
}
write.csv(do.call(rbind, out), "lonely_ssu.csv", row.names = FALSE, na = "NaN")
