package org.sipedge.launcher.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The PNG of {@code ./sipedge bench compare}: side-by-side bar panels (Kamailio and SIP Edge per category) drawn
 * with XChart under one title line, which names the date and the box.
 */
final class CompareChart {
    /** One panel: a title, the y axis, and per category Kamailio's and SIP Edge's value (NaN: not measured). */
    record Panel(String title, String yAxis, List<String> categories, List<Double> kamailio, List<Double> edge) {
    }

    private static final int PANEL_WIDTH = 560;
    private static final int PANEL_HEIGHT = 460;
    private static final int TITLE_HEIGHT = 44;
    private static final Color KAMAILIO = new Color(0x4C72B0);
    private static final Color EDGE = new Color(0xDD8452);

    private CompareChart() {
    }

    static void write(Path file, String title, String kamailioName, List<Panel> panels) throws IOException {
        List<BufferedImage> images = new ArrayList<>();
        for (Panel p : panels) {
            CategoryChart c = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(p.title())
                    .yAxisTitle(p.yAxis()).build();
            c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS)
                    .setLegendLayout(Styler.LegendLayout.Horizontal)
                    .setSeriesColors(new Color[] {KAMAILIO, EDGE}).setChartBackgroundColor(Color.WHITE);
            c.getStyler().setLabelsVisible(true).setAvailableSpaceFill(0.7);
            c.getStyler().setYAxisMin(0.0).setPlotGridVerticalLinesVisible(false);
            c.getStyler().setYAxisDecimalPattern("#,##0.##");
            c.addSeries(kamailioName, p.categories(), zeroForMissing(p.kamailio()));
            c.addSeries("SIP Edge", p.categories(), zeroForMissing(p.edge()));
            images.add(BitmapEncoder.getBufferedImage(c));
        }
        BufferedImage all = new BufferedImage(PANEL_WIDTH * images.size(), PANEL_HEIGHT + TITLE_HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, all.getWidth(), all.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            int w = g.getFontMetrics().stringWidth(title);
            g.drawString(title, Math.max(8, (all.getWidth() - w) / 2), 28);
            for (int i = 0; i < images.size(); i++) {
                g.drawImage(images.get(i), i * PANEL_WIDTH, TITLE_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(all, "png", file.toFile());
    }

    /** Values as the bars' labels show them: two decimals at most; 0 for a value not measured. */
    private static List<Double> zeroForMissing(List<Double> values) {
        return values.stream().map(v -> v == null || v.isNaN() || v < 0 ? 0.0 : Math.round(v * 100) / 100.0)
                .toList();
    }
}
