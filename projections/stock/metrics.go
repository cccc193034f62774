package stock

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// scrapeTimeout bounds the query of one scrape.
const scrapeTimeout = 2 * time.Second

// NegativeLevels is a Prometheus collector of pos_stock_negative_levels: the number of stock
// levels whose on hand is below zero in the read model, per location, counted at each scrape
// (one scan of the levels table, whose rows are locations × products). A location
// with none has no series; alert on sum(pos_stock_negative_levels) > 0. When the read model
// cannot be read the scrape carries no sample (readiness and the projection metrics report
// the outage).
type NegativeLevels struct {
	db   readkit.Querier
	desc *prometheus.Desc
}

// NewNegativeLevels returns the collector reading through db.
func NewNegativeLevels(db readkit.Querier) *NegativeLevels {
	return &NegativeLevels{db: db, desc: prometheus.NewDesc("pos_stock_negative_levels",
		"Stock levels (location × product) with on hand below zero in the stock read model.", []string{"location_id"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *NegativeLevels) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *NegativeLevels) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	rows, err := c.db.Query(ctx, `SELECT location_id::text, count(*) FROM `+projections.Table(Name, "levels")+
		` WHERE on_hand < 0 GROUP BY location_id`)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var loc string
		var n int64
		if rows.Scan(&loc, &n) != nil {
			return
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), loc)
	}
}
