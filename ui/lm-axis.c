/* lm-axis.c: ticks and number formats (see lm-axis.h). */
#include "lm-axis.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Trailing zeros off "1.500" -> "1.5", "2.000" -> "2". */
static void
trim_zeros (char *s)
{
  char *dot = strchr (s, '.');
  char *e, *end;

  if (dot == NULL)
    return;
  e = strpbrk (s, "eE");
  end = e ? e : s + strlen (s);
  while (end > dot + 1 && end[-1] == '0')
    end--;
  if (end == dot + 1)
    end--;
  if (e)
    memmove (end, e, strlen (e) + 1);
  else
    *end = '\0';
}

static void
format_exp (double v, int digits, char *buf, gsize len)
{
  char mant[32];
  int ex = (int) floor (log10 (fabs (v)));
  double m = v / pow (10, ex);

  g_snprintf (mant, sizeof mant, "%.*f", digits, m);
  if (fabs (g_ascii_strtod (mant, NULL)) >= 10)   /* 9.9999999 rounds up to 10.0 */
    {
      ex++;
      g_snprintf (mant, sizeof mant, "%.*f", digits, v / pow (10, ex));
    }
  trim_zeros (mant);
  g_snprintf (buf, len, "%se%d", mant, ex);
}

void
lm_format_value (double v, char *buf, gsize len)
{
  double a = fabs (v);

  if (isnan (v))
    g_strlcpy (buf, "NaN", len);
  else if (isinf (v))
    g_strlcpy (buf, v > 0 ? "+Inf" : "-Inf", len);
  else if (a != 0 && (a < 1e-4 || a >= 1e7))
    format_exp (v, 4, buf, len);
  else
    {
      g_snprintf (buf, len, "%.5g", v);
      if (strpbrk (buf, "eE") == NULL)
        trim_zeros (buf);
    }
}

void
lm_format_step (gint64 step, char *buf, gsize len)
{
  g_snprintf (buf, len, "%" G_GINT64_FORMAT, step);
}

char *
lm_format_count (guint64 n)
{
  g_autofree char *plain = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (plain);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, plain[i]);
    }
  return g_string_free (out, FALSE);
}

void
lm_format_duration (double s, char *buf, gsize len)
{
  double a = fabs (s);
  const char *sign = s < 0 ? "-" : "";

  if (a < 60)
    g_snprintf (buf, len, "%s%.3g s", sign, a);
  else if (a < 3600)
    g_snprintf (buf, len, "%s%dm %02ds", sign, (int) (a / 60), (int) fmod (a, 60));
  else if (a < 86400)
    g_snprintf (buf, len, "%s%dh %02dm", sign, (int) (a / 3600), (int) fmod (a / 60, 60));
  else
    g_snprintf (buf, len, "%s%dd %02dh", sign, (int) (a / 86400), (int) fmod (a / 3600, 24));
}

void
lm_format_wall (double t, char *buf, gsize len)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local ((gint64) floor (t));
  g_autofree char *s = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : NULL;

  g_strlcpy (buf, s ? s : "?", len);
}

/* ------------------------------------------------------------------ ticks */

static double
nice_step (double span, guint target)
{
  double raw = span / MAX (target, 1u);
  double mag = pow (10, floor (log10 (raw)));
  double norm = raw / mag;

  if (norm < 1.5)
    return mag;
  if (norm < 3)
    return 2 * mag;
  if (norm < 7)
    return 5 * mag;
  return 10 * mag;
}

/* mag: the largest |value| on the axis. Fixed or exponent notation is
 * chosen once per axis, so the ticks of one axis never mix the two; either
 * way every tick gets the digits that tell it from its neighbours
 * (999999.6, 999999.8, 1000000.0 around a million; 0.999995, 1.000000
 * around one), never two equal labels. */
static void
label_value (double v, double step, double mag, char *buf, gsize len)
{
  double a = fabs (v);
  int decimals = (int) MAX (0, -floor (log10 (step) + 1e-9));
  int int_digits = mag >= 1 ? (int) floor (log10 (mag)) + 1 : 1;
  gboolean fixed;

  if (fabs (v) < step * 1e-9)
    v = 0, a = 0;
  if (mag < 1e-3)
    fixed = FALSE;
  else if (mag < 1e6)
    fixed = step >= 1e-4 || int_digits + decimals <= 9;
  else   /* 2e7, 1.0005e6; but 999999997, not 9.99999997e8 */
    fixed = int_digits + decimals <= 12 &&
            (decimals > 0 || floor (log10 (mag)) - floor (log10 (step)) > 5);
  if (a != 0 && !fixed)
    {
      int digits = (int) MAX (0, floor (log10 (a)) - floor (log10 (step)));

      format_exp (v, MIN (digits, 15), buf, len);
    }
  else if (!fixed)
    g_strlcpy (buf, "0", len);   /* not 0.0000000 among 5e-8, 1e-7 */
  else
    g_snprintf (buf, len, "%.*f", decimals, v);
}

static void
label_step (double v, double step, char *buf, gsize len)
{
  static const struct { double scale; const char *suffix; } si[] = {
    { 1e12, "T" }, { 1e9, "G" }, { 1e6, "M" }, { 1e3, "k" },
  };
  double a = fabs (v);

  step = MAX (step, 1.0);
  if (a >= 1e15)   /* past "999T": 5e16, not "50000T" */
    {
      int digits = (int) MAX (0, floor (log10 (a)) - floor (log10 (step)));

      format_exp (v, MIN (digits, 15), buf, len);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (si); i++)
    if (a >= si[i].scale)
      {
        /* "1.5M" while 2 decimals tell the ticks apart; past that the
         * whole number (2000005, not a row of "2M"; 1002, not 1.002k) */
        int decimals = (int) MAX (0, ceil (log10 (si[i].scale / step) - 1e-9));

        if (decimals > 2)
          break;
        g_snprintf (buf, len, "%.3f", v / si[i].scale);
        trim_zeros (buf);
        g_strlcat (buf, si[i].suffix, len);
        return;
      }
  g_snprintf (buf, len, "%.0f", v);
}

#define YEAR_SECONDS 31536000.0
#define MONTH_SECONDS 2592000.0

/* Intervals a clock reader likes, in seconds. */
static const double time_steps[] = {
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
  3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
  1209600, 2592000, 7776000, 15552000, 31536000,
};

static double
time_step (double span, guint target)
{
  double raw = span / MAX (target, 1u);

  for (guint i = 0; i < G_N_ELEMENTS (time_steps); i++)
    if (time_steps[i] >= raw)
      return time_steps[i];
  /* past a year: 2, 5, 10 ... years, not a round number of seconds */
  return nice_step (span / YEAR_SECONDS, target) * YEAR_SECONDS;
}

static void
label_relative (double v, double step, char *buf, gsize len)
{
  double a = fabs (v);
  const char *sign = v < 0 ? "-" : "";

  if (step < 60 && a < 120)
    {
      g_snprintf (buf, len, "%s%.3f", sign, a);
      trim_zeros (buf);
      g_strlcat (buf, "s", len);
    }
  else if (step < 3600 && a < 7200)
    {
      g_snprintf (buf, len, "%s%.2f", sign, a / 60);
      trim_zeros (buf);
      g_strlcat (buf, "m", len);
    }
  else if (step < 86400 && a < 172800)
    {
      g_snprintf (buf, len, "%s%.2f", sign, a / 3600);
      trim_zeros (buf);
      g_strlcat (buf, "h", len);
    }
  else if (step < YEAR_SECONDS)
    {
      g_snprintf (buf, len, "%s%.2f", sign, a / 86400);
      trim_zeros (buf);
      g_strlcat (buf, "d", len);
    }
  else
    {
      g_snprintf (buf, len, "%s%.2f", sign, a / YEAR_SECONDS);
      trim_zeros (buf);
      g_strlcat (buf, "y", len);
    }
}

/* Wall-time ticks a month or more apart sit on calendar boundaries (the
 * 1st of a month, 1 January), not on multiples of 30 or 365 days since
 * 1970: every 1, 3 or 6 months, or every 1, 2, 5, 10 ... years. */
static guint
ticks_calendar (double lo, double hi, double step, LmTick *ticks)
{
  g_autoptr (GDateTime) start = g_date_time_new_from_unix_local ((gint64) floor (lo));
  int months = step < 3 * MONTH_SECONDS ? 1 : step < 6 * MONTH_SECONDS ? 3
               : step < YEAR_SECONDS ? 6 : 12 * (int) MAX (1.0, round (step / YEAR_SECONDS));
  int y, m;
  guint n = 0;

  if (start == NULL)
    return 0;
  y = g_date_time_get_year (start);
  m = g_date_time_get_month (start) - 1;   /* 0-based */
  /* the first boundary at or after lo that is a multiple of the interval */
  m = ((y * 12 + m + months - 1) / months) * months;
  for (; n < LM_AXIS_MAX_TICKS; m += months)
    {
      g_autoptr (GDateTime) t = g_date_time_new_local (m / 12, m % 12 + 1, 1, 0, 0, 0);
      g_autofree char *label = NULL;
      double v;

      if (t == NULL)
        break;
      v = (double) g_date_time_to_unix (t);
      if (v < lo)
        continue;
      if (v > hi)
        break;
      label = g_date_time_format (t, months >= 12 ? "%Y" : "%b %Y");
      ticks[n].value = v;
      g_strlcpy (ticks[n].label, label, sizeof ticks[n].label);
      n++;
    }
  return n;
}

/* `decimals`: digits of the second after "%S" when ticks are less than a
 * second apart (a run whose points were all logged within a few seconds),
 * so neighbouring ticks never read the same "15:42:27". */
static void
label_wall (double v, const char *fmt, int decimals, char *buf, gsize len)
{
  double scale = pow (10, decimals);
  double units = round (v * scale), secs = floor (units / scale);
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local ((gint64) secs);
  g_autofree char *s = NULL;

  if (dt == NULL)
    {
      g_strlcpy (buf, "?", len);
      return;
    }
  s = g_date_time_format (dt, fmt);
  if (decimals > 0)
    g_snprintf (buf, len, "%s.%0*.0f", s, decimals, units - secs * scale);
  else
    g_strlcpy (buf, s, len);
}

/* One format for an axis's wall-time labels: the year once the axis spans
 * more than one (a run resumed months later, or across New Year). */
static const char *
wall_format (double step, double lo, double hi)
{
  g_autoptr (GDateTime) first = g_date_time_new_from_unix_local ((gint64) floor (lo));
  g_autoptr (GDateTime) last = g_date_time_new_from_unix_local ((gint64) floor (hi));
  gboolean years = first && last && g_date_time_get_year (first) != g_date_time_get_year (last);

  return step < 60 ? "%H:%M:%S" : step < 86400 ? "%H:%M"
         : step >= YEAR_SECONDS ? "%Y" : years ? "%b %d %Y" : "%b %d";
}

static guint
ticks_log (double lo, double hi, guint target, LmTick *ticks)
{
  int e0 = (int) floor (log10 (lo)), e1 = (int) ceil (log10 (hi));
  int decades = MAX (1, e1 - e0);
  int every = MAX (1, (decades + (int) target - 1) / (int) MAX (target, 1u));
  static const double subs[] = { 1, 2, 5 };
  guint n = 0;

  for (int e = e0; e <= e1 && n < LM_AXIS_MAX_TICKS; e++)
    for (guint k = 0; k < G_N_ELEMENTS (subs) && n < LM_AXIS_MAX_TICKS; k++)
      {
        double v = subs[k] * pow (10, e);

        /* 2x and 5x ticks only when there are few decades. */
        if (k > 0 && decades > 3)
          continue;
        if (k == 0 && (e - e0) % every != 0)
          continue;
        if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9))
          continue;
        ticks[n].value = v;
        if (e >= -3 && e < 5)
          g_snprintf (ticks[n].label, sizeof ticks[n].label, "%g", v);
        else if (k == 0)
          g_snprintf (ticks[n].label, sizeof ticks[n].label, "1e%d", e);
        else
          g_snprintf (ticks[n].label, sizeof ticks[n].label, "%de%d", (int) subs[k], e);
        n++;
      }
  return n;
}

guint
lm_axis_ticks (LmAxisKind kind,
               gboolean   log_scale,
               double     lo,
               double     hi,
               guint      target,
               LmTick    *ticks)
{
  double step, first;
  const char *wall_fmt;
  int wall_decimals = 0;
  guint n = 0;

  if (!(hi > lo) || !isfinite (lo) || !isfinite (hi))
    return 0;
  if (log_scale && lo > 0)
    return ticks_log (lo, hi, target, ticks);

  if (kind == LM_AXIS_RELATIVE || kind == LM_AXIS_WALL)
    step = time_step (hi - lo, target);
  else
    step = nice_step (hi - lo, target);
  if (kind == LM_AXIS_STEP && step < 1)
    step = 1;

  if (kind == LM_AXIS_WALL && step >= MONTH_SECONDS)
    {
      n = ticks_calendar (lo, hi, step, ticks);
      if (n >= 2)
        return n;
      n = 0;
    }
  if (kind == LM_AXIS_WALL && step >= 3600)
    {
      /* Align hours and days to local midnight, not to the epoch. */
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local ((gint64) floor (lo));
      double offset = dt ? (double) g_date_time_get_utc_offset (dt) / G_USEC_PER_SEC : 0;

      first = ceil ((lo + offset) / step) * step - offset;
    }
  else
    first = ceil (lo / step) * step;
  first += 0.0;   /* -0.0 (ceil of -0.2) to 0: a tick read "-0" */
  wall_fmt = kind == LM_AXIS_WALL ? wall_format (step, lo, hi) : NULL;
  if (step < 1)
    wall_decimals = (int) ceil (-log10 (step) - 1e-9);

  for (double v = first; v <= hi + step * 1e-9 && n < LM_AXIS_MAX_TICKS; v = first + n * step)
    {
      ticks[n].value = v;
      switch (kind)
        {
        case LM_AXIS_STEP:
          label_step (v, step, ticks[n].label, sizeof ticks[n].label);
          break;
        case LM_AXIS_RELATIVE:
          label_relative (v, step, ticks[n].label, sizeof ticks[n].label);
          break;
        case LM_AXIS_WALL:
          label_wall (v, wall_fmt, wall_decimals, ticks[n].label, sizeof ticks[n].label);
          break;
        case LM_AXIS_VALUE_SI:
          /* TensorBoard's histogram axes: an SI suffix from 10,000 up
           * (-200k, 1.5M), as d3's "s" format; smaller values as a value
           * axis's */
          if (MAX (fabs (lo), fabs (hi)) >= 1e4 && step >= 1)
            {
              label_step (v, step, ticks[n].label, sizeof ticks[n].label);
              break;
            }
          G_GNUC_FALLTHROUGH;
        case LM_AXIS_VALUE:
        default:
          label_value (v, step, MAX (fabs (lo), fabs (hi)), ticks[n].label, sizeof ticks[n].label);
          break;
        }
      n++;
    }
  return n;
}

guint
lm_axis_place_labels (const double *centers, const double *extents, guint n, double lo, double hi, double gap,
                      double *starts)
{
  double kept_lo = 0, kept_hi = 0;
  guint kept = 0;

  for (guint i = 0; i < n; i++)
    {
      double s = centers[i] - extents[i] / 2;

      starts[i] = NAN;
      if (!(extents[i] <= hi - lo))
        continue;
      s = CLAMP (s, lo, hi - extents[i]);
      if (kept > 0 && s < kept_hi + gap && s + extents[i] + gap > kept_lo)
        continue;
      starts[i] = s;
      kept_lo = s, kept_hi = s + extents[i];
      kept++;
    }
  return kept;
}
