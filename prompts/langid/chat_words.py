"""Greetings, thanks, farewells and politeness words per language, for one- to five-word chat input.

Short messages ("Danke", "Merci, Jérôme", "Щиро дякую") carry almost no function words,
and langdetect's n-gram profiles are unreliable on them; these words are what such
messages are made of. They join the detector's word vote (lexicon.WORD_LANGUAGES):
a word several languages use counts for each of them. Lower case; Arabic-script
words use each language's own letter forms (Persian/Urdu ی and ک, Arabic ي and ك).
"""

from __future__ import annotations

CHAT_WORDS: dict[str, str] = {
    "en": "thanks thank thx hello hey bye goodbye morning evening afternoon night good cheers please "
          "sorry welcome congratulations congrats happy birthday see tomorrow later mate dear love "
          "nice great",
    "de": "danke dankeschön vielen schön bitte bitteschön hallo guten gute morgen abend nacht tag "
          "tschüss tschüs servus moin grüß gruß grüße liebe lieber herzlichen herzliche glückwunsch "
          "alles später bald entschuldigung ja nein genau prima toll wiedersehen",
    "fr": "merci beaucoup bonjour bonsoir bonne bon nuit salut revoir bientôt demain s'il plaît oui "
          "non pardon excusez désolé désolée félicitations anniversaire joyeux bisous bises coucou "
          "ça va madame monsieur cher chère amitiés",
    "es": "gracias muchas muchísimas hola buenos buenas días noches tardes adiós hasta luego mañana "
          "favor sí perdón siento feliz cumpleaños qué tal cómo estás bien vale saludos",
    "pt": "obrigado obrigada muito muita olá oi bom boa dia noite tarde tchau adeus até logo amanhã "
          "favor sim não desculpe desculpa parabéns feliz aniversário tudo bem valeu beijos abraços",
    "it": "grazie mille ciao buongiorno buonasera buonanotte arrivederci domani presto prego favore "
          "sì scusa scusi auguri buon compleanno come stai bene salve",
    "nl": "dank bedankt wel goedemorgen goedemiddag goedenavond goedenacht hoi hallo doei dag tot "
          "ziens straks morgen alsjeblieft alstublieft ja nee sorry gefeliciteerd hartelijk fijne "
          "prettige welterusten groetjes",
    "af": "baie dankie goeie môre middag aand nag hallo totsiens siens asseblief ja nee jammer veels "
          "geluk verjaarsdag lekker slaap hoe gaan dit",
    "da": "tak mange tusind godmorgen god morgen dag aften godnat nat hej farvel ses undskyld "
          "tillykke fødselsdagen velkommen hav mad",
    "no": "takk tusen god morgen dag kveld natt hei ha det bra sees unnskyld gratulerer dagen "
          "velkommen maten snakkes",
    "sv": "tack så mycket god morgon dag kväll natt hej hejdå ses imorgon ursäkta grattis "
          "födelsedagen välkommen trevlig maten",
    "is": "takk fyrir kærlega góðan daginn góða nótt halló bless sæl sæll hamingju afmælið "
          "velkomin velkominn já nei",
    "fi": "kiitos paljon hyvää huomenta päivää iltaa yötä moi hei terve näkemiin nähdään onnea "
          "syntymäpäivää anteeksi kyllä ei hyvä tervetuloa",
    "et": "aitäh tänan tere hommikust päevast õhtust head ööd nägemist aega palun vabandust palju "
          "õnne sünnipäevaks jah ei tulemast",
    "hu": "köszönöm köszi szépen jó reggelt napot estét éjszakát szia sziasztok helló "
          "viszontlátásra viszlát kérem bocsánat boldog születésnapot igen nem",
    "pl": "dziękuję dzięki bardzo dzień dobry dobranoc wieczór cześć widzenia zobaczenia proszę "
          "przepraszam wszystkiego najlepszego tak nie",
    "cs": "děkuji děkuju díky moc dobré ráno dobrý den večer dobrou noc ahoj nashledanou shledanou "
          "prosím promiň všechno nejlepší ano ne",
    "ro": "mulțumesc multumesc mersi frumos bună buna dimineața dimineata ziua seara noapte salut "
          "revedere mâine rog scuze mulți ani da nu",
    "ca": "moltes gràcies gracies bon dia bona tarda nit hola adéu fins demà aviat plau sisplau "
          "perdó felicitats",
    "gl": "moitas grazas bos días boas tardes noites ola adeus ata mañá logo favor perdón noraboa",
    "lt": "ačiū labai labas rytas laba diena vakaras labanakt sveikas sveiki viso gero iki "
          "pasimatymo prašau atsiprašau gimtadieniu taip ne",
    "lv": "paldies liels labrīt labdien labvakar labu nakti sveiks sveiki čau redzēšanos lūdzu "
          "atvainojiet daudz laimes jā nē",
    "tr": "teşekkürler teşekkür ederim çok sağ ol olun günaydın iyi geceler akşamlar merhaba selam "
          "görüşürüz hoşça kal lütfen özür dilerim doğum günün kutlu olsun evet hayır",
    "az": "çox sağ ol olun sabahınız xeyir axşamınız gecəniz xeyrə salam təşəkkür edirəm sağol "
          "görüşərik xahiş bağışlayın ad günün mübarək bəli xeyr xanım",
    "uz": "rahmat katta xayrli tong kun tun kech salom assalomu alaykum xayr koʻrishguncha "
          "ko'rishguncha iltimos kechirasiz tugʻilgan tug'ilgan kuningiz bilan ha yoʻq yo'q",
    "id": "terima kasih makasih banyak selamat pagi siang sore malam halo hai apa kabar sampai "
          "jumpa ketemu lagi tolong maaf ulang tahun ya tidak baik",
    "ms": "terima kasih banyak selamat pagi tengah hari petang malam helo hai apa khabar jumpa lagi "
          "tolong maaf jadi ya tidak baiklah awak sihat",
    "mg": "misaotra betsaka manao ahoana salama veloma tafandria mandry azafady eny tsia arahaba "
          "tratry taona",
    "vi": "cảm ơn nhiều chào buổi sáng tối xin tạm biệt chúc ngủ ngon mừng sinh nhật vâng không",
    "ru": "спасибо большое доброе утро добрый день вечер спокойной ночи привет здравствуйте пока "
          "до свидания пожалуйста извините днём рождения да нет",
    "uk": "дякую дуже щиро доброго ранку добрий день вечір добраніч привіт вітаю будь ласка "
          "побачення вибачте днем народження так ні",
    "bg": "благодаря много добро утро добър ден вечер лека нощ здравей здравейте чао довиждане "
          "моля извинете честит рожден да не",
    "sr": "хвала пуно добро јутро добар дан вече лаку ноћ здраво ћао довиђења молим извини срећан "
          "рођендан да не",
    "mk": "благодарам фала многу добро утро добар ден вечер добра ноќ здраво чао пријатно "
          "довидување молам извини среќен роденден да не",
    "kk": "рақмет көп қайырлы таң күн кеш түн сәлем сәлеметсіз сау болыңыз бол өтінемін "
          "кешіріңіз туған күніңмен иә жоқ",
    "ky": "рахмат чоң кутман таң кайырлуу күн кеч жакшы түн салам саламатсызбы көрүшкөнчө "
          "сураныч кечиресиз туулган күнүң менен ооба жок",
    "hi": "धन्यवाद शुक्रिया नमस्ते नमस्कार शुभ रात्रि सुप्रभात फिर मिलेंगे कृपया माफ़ कीजिए जन्मदिन "
          "मुबारक हाँ नहीं आप कैसे हैं बहुत",
    "mr": "धन्यवाद खूप नमस्कार शुभ रात्री सकाळ पुन्हा भेटू कृपया माफ करा वाढदिवसाच्या हार्दिक शुभेच्छा "
          "हो नाही आभारी आहे कसा कशी आहेस",
    "ne": "धन्यवाद धेरै नमस्ते नमस्कार शुभ रात्री प्रभात फेरि भेटौँला कृपया माफ गर्नुहोस् जन्मदिनको "
          "शुभकामना हजुर होइन सन्चै हुनुहुन्छ तपाईंलाई",
    "ar": "شكرا جزيلا صباح الخير مساء مرحبا أهلا السلام عليكم مع السلامة تصبح على خير من فضلك عفوا "
          "آسف عيد ميلاد سعيد نعم لا يا",
    "fa": "ممنون خیلی مرسی سپاسگزارم صبح بخیر شب سلام خداحافظ لطفا ببخشید تولدت مبارک بله نه",
    "ur": "شکریہ بہت صبح بخیر شب السلام علیکم خدا حافظ مہربانی معاف کیجیے سالگرہ مبارک ہو جی ہاں "
          "نہیں آپ کیسے ہیں",
}
