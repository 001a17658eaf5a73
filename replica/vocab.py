"""Word lists for the replica's Indonesian filler news.

Kept as plain data so the generator stays readable and a reviewer can see at a glance what
kind of text the extractor will be tested against: East Kalimantan regional news.
"""

from __future__ import annotations

# (name, slug) of each category; the order is the nav-menu order.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("Ekonomi", "ekonomi"),
    ("Hukum & Kriminal", "hukum-kriminal"),
    ("Pemerintahan", "pemerintahan"),
    ("Daerah", "daerah"),
    ("Politik", "politik"),
    ("Olahraga", "olahraga"),
    ("Kesehatan", "kesehatan"),
    ("Pendidikan", "pendidikan"),
    ("Opini", "opini"),
)

# Reporters (bylines). The first is the desk account that signs releases.
AUTHORS: tuple[str, ...] = (
    "Redaksi Niaga.Asia",
    "Saud Rosadi",
    "Intoniswan",
    "Hamdani",
    "Nur Asih Damayanti",
    "Putri Ramadhani",
    "Sebastian Tumiwa",
    "Rahmat Hidayat",
)
EDITORS: tuple[str, ...] = ("Saud Rosadi", "Intoniswan", "Rachmat Rolau", "Hamdani")
SOURCES: tuple[str, ...] = (
    "Polresta Samarinda",
    "Humas Pemkot Samarinda",
    "Diskominfo Kaltim",
    "Humas DPRD Kaltim",
    "Humas Pemkab Kutai Kartanegara",
    "Polda Kaltim",
    "ANTARA",
    "Humas Pemkot Balikpapan",
    "Pelindo Regional 4",
)
PHOTOGRAPHERS: tuple[str, ...] = ("Saud Rosadi", "Hamdani", "Intoniswan", "Nur Asih Damayanti")

PLACES: tuple[str, ...] = (
    "Samarinda",
    "Balikpapan",
    "Tenggarong",
    "Bontang",
    "Nunukan",
    "Tarakan",
    "Sangatta",
    "Penajam",
    "Tanjung Redeb",
    "Malinau",
)
VENUES: tuple[str, ...] = (
    "Kantor Gubernur Kaltim",
    "Gedung DPRD Kaltim",
    "Balai Kota",
    "Pelabuhan Samudera Palaran",
    "Pasar Segiri",
    "GOR Segiri",
    "Mapolresta",
    "Kantor Bappeda",
    "Pendopo Odah Etam",
    "Pelabuhan Semayang",
    "Bandara APT Pranoto",
    "Stadion Palaran",
)
OFFICIALS: tuple[str, ...] = (
    "Wali Kota Samarinda Andi Harun",
    "Gubernur Kaltim",
    "Ketua DPRD Kaltim",
    "Kapolresta Samarinda",
    "Kepala Dinas Perdagangan",
    "Sekretaris Daerah Kaltim",
    "Bupati Kutai Kartanegara",
    "Kepala BPBD Samarinda",
    "Kepala Dinas Kesehatan",
    "Anggota Komisi II DPRD Kaltim",
    "Kepala Bank Indonesia Kaltim",
    "Kepala Dinas Pendidikan",
)
SPEAKERS: tuple[str, ...] = (
    "Andi Harun",
    "Hasanuddin Mas'ud",
    "Ary Fadli",
    "Sri Wahyuni",
    "Budi Santoso",
    "Rusmadi Wongso",
    "Yusliando",
    "Darlis Pattalongi",
    "Jaya Mualimin",
    "Siti Rahmawati",
)
COMMENTERS: tuple[str, ...] = (
    "Arif",
    "Dewi Lestari",
    "Rudi Samarinda",
    "Nurhayati",
    "Budi K",
    "warga Loa Bakung",
)

# Topics per category slug: (subject noun phrase, verb phrase, object) fragments.
TOPICS: dict[str, tuple[str, ...]] = {
    "ekonomi": (
        "harga cabai",
        "harga beras",
        "inflasi Kaltim",
        "ekspor batu bara",
        "UMKM",
        "pelabuhan peti kemas",
        "harga elpiji",
        "pasar tradisional",
        "investasi IKN",
        "nilai tukar petani",
        "stok bahan pokok",
        "tarif angkutan",
    ),
    "hukum-kriminal": (
        "kasus narkoba",
        "pencurian sepeda motor",
        "penipuan daring",
        "tambang ilegal",
        "korupsi dana desa",
        "perdagangan satwa",
        "pembalakan liar",
        "judi online",
    ),
    "pemerintahan": (
        "anggaran daerah",
        "pelayanan publik",
        "program bedah rumah",
        "seleksi CPNS",
        "rencana tata ruang",
        "pembangunan jalan",
        "bantuan sosial",
        "APBD Perubahan",
    ),
    "daerah": (
        "banjir",
        "abrasi sungai",
        "kebakaran lahan",
        "air bersih",
        "jembatan gantung",
        "listrik desa",
        "jalan rusak",
        "tanah longsor",
        "sampah kota",
    ),
    "politik": (
        "Pemilu 2024",
        "Pilkada serentak",
        "daftar calon tetap",
        "kampanye damai",
        "rekapitulasi suara",
        "verifikasi partai",
        "netralitas ASN",
    ),
    "olahraga": (
        "Borneo FC",
        "Porprov Kaltim",
        "turnamen bulu tangkis",
        "atlet dayung",
        "liga pelajar",
        "lomba perahu naga",
        "pembinaan atlet muda",
    ),
    "kesehatan": (
        "stunting",
        "demam berdarah",
        "imunisasi anak",
        "BPJS Kesehatan",
        "puskesmas",
        "gizi buruk",
        "tenaga kesehatan",
    ),
    "pendidikan": (
        "PPDB",
        "beasiswa Kaltim Tuntas",
        "sekolah rusak",
        "guru honorer",
        "kurikulum merdeka",
        "perpustakaan desa",
    ),
    "opini": (
        "demokrasi lokal",
        "ibu kota baru",
        "ekonomi hijau",
        "literasi digital",
        "pers daerah",
        "hilirisasi sumber daya",
    ),
}

TITLE_TEMPLATES: tuple[str, ...] = (
    "{Official} Minta Warga Waspadai {Topic} di {place}",
    "{Topic} di {place} Jadi Sorotan {org}",
    "{org} Bahas {Topic}, Target Rampung {month}",
    "Atasi {Topic}, {place} Siapkan Rp{num} Miliar",
    "{Topic} Naik, {Official} Turun ke Lapangan",
    "Tekan {Topic}, {org} Gandeng {org2}",
    "{count} Warga {place} Terdampak {Topic}",
    "{Official}: {Topic} Harus Ditangani Bersama",
    "Soal {Topic}, {org} Panggil Instansi Terkait",
    "{place} Gelar Rapat Koordinasi {Topic}",
    "Evaluasi {Topic} Tahun Ini, {org} Catat {count} Temuan",
    "Jelang Akhir Tahun, {Topic} di {place} Dipantau Ketat",
)
ORGS: tuple[str, ...] = (
    "DPRD Kaltim",
    "Pemkot Samarinda",
    "Pemprov Kaltim",
    "Polda Kaltim",
    "BPBD",
    "Pemkab Kukar",
    "Bank Indonesia",
    "Disperindag",
    "KPU Kaltim",
    "Bawaslu",
    "Dinas PUPR",
    "Pelindo",
    "Otorita IKN",
    "Ombudsman",
)
MONTHS: tuple[str, ...] = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
DAYS: tuple[str, ...] = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

SENTENCES: tuple[str, ...] = (
    "Persoalan {topic} di {place} kembali menjadi perhatian {org} dalam beberapa pekan terakhir.",
    "{Official} menyebutkan pemerintah telah menyiapkan langkah antisipasi terkait {topic}.",
    "Menurut data {org}, sedikitnya {count} kasus tercatat sepanjang {month} tahun ini.",
    "Rapat koordinasi digelar di {venue} dengan melibatkan sejumlah instansi terkait.",
    "Anggaran sebesar Rp{num} miliar dialokasikan untuk penanganan {topic} di {place}.",
    "Warga berharap pemerintah daerah tidak hanya bergerak ketika masalah sudah membesar.",
    "Pihaknya juga akan berkoordinasi dengan {org} agar penanganan berjalan terpadu.",
    "Di lapangan, petugas menemukan kondisi {topic} yang lebih parah dari laporan awal.",
    "Harga sejumlah kebutuhan pokok di {place} disebut relatif stabil meski permintaan naik.",
    "Kegiatan itu turut dihadiri unsur Forkopimda, tokoh masyarakat dan perwakilan pelajar.",
    "Selain itu, DPRD meminta laporan berkala agar pengawasan anggaran lebih transparan.",
    "Banjir yang merendam sejumlah ruas jalan di {place} membuat aktivitas warga terganggu.",
    "Pelabuhan di {place} mencatat kenaikan arus barang hingga {count} persen.",
    "Pemerintah menargetkan program tersebut rampung sebelum akhir {month} mendatang.",
    "Pengawasan akan diperketat, terutama di kawasan perbatasan dan daerah terpencil.",
    "Sejumlah warga mengaku sudah lama menunggu kepastian dari pemerintah.",
    "Kasus tersebut kini ditangani penyidik dan berkasnya segera dilimpahkan ke kejaksaan.",
    "Tim gabungan diterjunkan untuk mendata dampak {topic} di {count} kelurahan.",
)
QUOTES: tuple[str, ...] = (
    "Kami tidak ingin persoalan {topic} ini berlarut-larut",
    "Semua pihak harus bergerak bersama, tidak bisa hanya pemerintah",
    "Kami pastikan anggaran digunakan sesuai peruntukannya",
    "Masyarakat diminta tetap tenang dan tidak mudah terprovokasi",
    "Target kami tahun ini {topic} bisa ditekan secara signifikan",
    "Kami terus memantau perkembangan di lapangan setiap hari",
)
QUOTE_VERBS: tuple[str, ...] = ("kata", "ujar", "terang", "tegas", "jelas")

CAPTIONS: tuple[str, ...] = (
    "{Official} saat meninjau lokasi {topic} di {place}, {day} {date}",
    "Suasana rapat koordinasi penanganan {topic} di {venue}, {day} {date}",
    "Petugas memeriksa kondisi {topic} di {place}",
    "Warga {place} menyampaikan aspirasi terkait {topic} kepada {org}",
    "Ilustrasi {topic}",
)
CREDIT_TEMPLATES: tuple[str, ...] = (
    "handout/{source}",
    "Foto: {source}/Niaga.Asia",
    "Foto: {photographer}/Niaga.Asia",
    "Foto: Istimewa",
)

TAGS: tuple[str, ...] = (
    "Pemkot Samarinda",
    "DPRD Kaltim",
    "Banjir",
    "Harga Cabai",
    "IKN Nusantara",
    "Pelabuhan",
    "Pilkada 2024",
    "Polresta Samarinda",
    "Inflasi",
    "UMKM",
    "Stunting",
    "Borneo FC",
    "Andi Harun",
    "Kutai Kartanegara",
    "Balikpapan",
    "Narkoba",
    "APBD",
    "Pendidikan",
    "Tambang Ilegal",
    "Bontang",
    "Nunukan",
    "Tarakan",
    "Bawaslu",
    "BPBD",
)

COMMENTS: tuple[str, ...] = (
    "Semoga cepat ditangani, sudah lama warga menunggu.",
    "Terima kasih infonya, sangat bermanfaat.",
    "Mohon diperhatikan juga kondisi di kecamatan kami.",
    "Beritanya lengkap, lanjutkan Niaga.Asia.",
)
